"""What a build reads, fingerprinted, and the fingerprint the current warehouse was built from.

A build is up to date when the fingerprint of its inputs equals the one recorded in the
warehouse's `build.runs` table. The inputs are the raw data (each dataset's ingest manifest:
which upstream files, their git blob SHA-1, parser version and record counts, plus the raw
Parquet files present and their sizes; never timestamps), the dbt project (models, macros,
seeds, data tests, dbt_project.yml, profiles.yml), the dbt vars, the embedder evaluation
results the warehouse reads, and the versions of dbt-core, dbt-duckdb and duckdb.

This module must not import dbt: the up-to-date check runs without it (dbt takes seconds to
import).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from ingest.raw_layout import MANIFEST_NAME
from warehouse import interruption

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Changing how fingerprints are computed changes this, so older warehouses are rebuilt.
FINGERPRINT_FORMAT = 1
PROJECT_INPUTS = ("models", "macros", "seeds", "data_tests", "dbt_project.yml", "profiles.yml")
# The manifest fields that say what a dataset's raw data holds (ingested_at, origin and
# location say when and from where, which does not change the data).
MANIFEST_FIELDS = (
    "source_path",
    "table_name",
    "upstream_split",
    "locale",
    "status",
    "git_blob_sha1",
    "parser_version",
    "records",
    "parquet_path",
)
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")
SPARK_PACKAGES = ("dbt-spark", "pyspark")  # what a build on Spark also depends on
BUILD_SCHEMA = "build"
RUNS_TABLE = f"{BUILD_SCHEMA}.runs"
NODE_RESULTS_TABLE = f"{BUILD_SCHEMA}.node_results"
DATASET_FINGERPRINTS_TABLE = f"{BUILD_SCHEMA}.dataset_fingerprints"


def _sha256_of_json(value: Any) -> str:
    """SHA-256 of a value's canonical JSON text (keys sorted)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256_of_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DatasetState:
    """One dataset's raw data as the build will read it."""

    dataset: str
    fingerprint: str
    files: int  # upstream files in the manifest
    files_ingested: int
    records: int


@dataclass(frozen=True)
class Fingerprint:
    """Everything a build reads, reduced to hashes; `value` is the whole in one hash."""

    datasets: dict[str, DatasetState]
    project: str
    evaluations: str
    dbt_vars: dict[str, Any]
    versions: dict[str, str]
    target: str = "duckdb"  # the engine dbt builds on: duckdb, or spark
    value: str = field(init=False)

    def __post_init__(self) -> None:
        whole = {
            "format": FINGERPRINT_FORMAT,
            "raw": {name: state.fingerprint for name, state in self.datasets.items()},
            "project": self.project,
            "evaluations": self.evaluations,
            "dbt_vars": self.dbt_vars,
            "versions": self.versions,
            # Only where it is not DuckDB, so DuckDB builds keep the fingerprints they had.
            **({"target": self.target} if self.target != "duckdb" else {}),
        }
        object.__setattr__(self, "value", _sha256_of_json(whole))


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Installed versions of the packages (by default dbt-core, dbt-duckdb and duckdb), read
    without importing them."""
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def dataset_state(dataset_dir: Path) -> DatasetState:
    """The fingerprint of one raw dataset folder: its manifest rows and its Parquet files."""
    import pyarrow.parquet as pq  # imported here: only this function needs it

    rows = pq.read_table(dataset_dir / MANIFEST_NAME).to_pylist()
    manifest = sorted(
        ([row.get(name) for name in MANIFEST_FIELDS] for row in rows),
        key=lambda values: json.dumps(values, default=str),
    )
    # Sizes of the Parquet files too: a raw file replaced or truncated by hand changes them.
    # The manifest itself only at its place: a records file may have its name deeper down.
    files = sorted(
        (path.relative_to(dataset_dir).as_posix(), path.stat().st_size)
        for path in dataset_dir.rglob("*.parquet")
        if path != dataset_dir / MANIFEST_NAME
    )
    return DatasetState(
        dataset=dataset_dir.name,
        fingerprint=_sha256_of_json({"manifest": manifest, "files": files}),
        files=len(rows),
        files_ingested=sum(1 for row in rows if row.get("status") == "ingested"),
        records=sum(row.get("records") or 0 for row in rows),
    )


def raw_states(raw_dir: Path) -> dict[str, DatasetState]:
    """Per dataset folder under raw_dir (those with a manifest), its DatasetState."""
    if not raw_dir.is_dir():
        return {}
    folders = sorted(
        path
        for path in raw_dir.iterdir()
        if not path.name.startswith(".") and (path / MANIFEST_NAME).is_file()
    )
    return {folder.name: dataset_state(folder) for folder in folders}


def project_fingerprint(project_dir: Path = PROJECT_DIR) -> str:
    """Hash of the names and contents of every file of the dbt project."""
    files = []
    for name in PROJECT_INPUTS:
        path = project_dir / name
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.is_file() and "__pycache__" not in candidate.parts:
                relative = candidate.relative_to(project_dir).as_posix()
                files.append((relative, _sha256_of_file(candidate)))
    return _sha256_of_json(files)


def evaluations_fingerprint(evaluations_dir: Path) -> str:
    """Hash of the embedder evaluation result files the embedder_scores mart reads."""
    files = sorted(
        (path.name, _sha256_of_file(path)) for path in Path(evaluations_dir).glob("*.parquet")
    )
    return _sha256_of_json(files)


def compute_fingerprint(
    raw_dir: Path,
    evaluations_dir: Path,
    dbt_vars: Mapping[str, Any],
    project_dir: Path = PROJECT_DIR,
    target: str = "duckdb",
) -> Fingerprint:
    """The fingerprint of what a build with these inputs would read, on the target engine."""
    packages = PACKAGES + SPARK_PACKAGES if target == "spark" else PACKAGES
    return Fingerprint(
        datasets=raw_states(raw_dir),
        project=project_fingerprint(project_dir),
        evaluations=evaluations_fingerprint(evaluations_dir),
        dbt_vars=dict(dbt_vars),
        versions=package_versions(packages),
        target=target,
    )


@dataclass(frozen=True)
class RecordedBuild:
    """The build a warehouse file records about itself."""

    fingerprint: str
    finished_at: datetime


def insert_rows(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Sequence[Any]],
    statement: str = "insert into",
) -> None:
    """Insert `rows` into `table` in one statement (`statement` may be `insert or replace
    into`); none: nothing. One statement of many rows, not executemany, which runs a statement
    a row: the 211 node results of an SGD build took 0.14 to 0.27 s that way, 0.03 s so."""
    if not rows:
        return
    row = "(" + ", ".join("?" * len(rows[0])) + ")"
    connection.execute(
        f"{statement} {table} values {', '.join([row] * len(rows))}",
        [value for values in rows for value in values],
    )


def rows_read_only(path: Path, alias: str, sql: str) -> list[tuple] | None:
    """The rows of a query on a DuckDB file attached read-only as `alias`, or None where there
    is no file or the query fails (another process holds it open for writing, or it lacks the
    table the query reads)."""
    if not path.is_file():
        return None
    try:
        # Attached to an in-memory database, not connect(path): DuckDB shares one instance
        # per path within a process, which would keep the file open after this returns.
        with duckdb.connect() as connection:
            connection.execute(f"attach ? as {alias} (read_only)", [str(path)])
            rows = connection.execute(sql).fetchall()
            connection.execute(f"detach {alias}")
    except duckdb.Error:
        interruption.raise_if_received()  # a signal stopped the query: not a missing table
        return None
    return rows


def recorded_build(warehouse_path: Path) -> RecordedBuild | None:
    """The newest build recorded in the warehouse, or None (no file, no record, unreadable:
    another process holds it open for writing, or it predates build.runs)."""
    rows = rows_read_only(
        warehouse_path,
        "recorded",
        f"select fingerprint, finished_at from recorded.{RUNS_TABLE} "
        "order by finished_at desc limit 1",
    )
    if not rows:
        return None
    [(fingerprint, finished_at)] = rows
    return RecordedBuild(fingerprint=fingerprint, finished_at=finished_at)
