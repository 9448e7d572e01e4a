"""Shared paths and helpers for the tests."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.registry import REGISTRY, Dataset

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURE_UPSTREAM = REPO_ROOT / "tests" / "fixtures" / "upstream"
MIRROR = REPO_ROOT.parent / "shared" / "data" / "raw"
# The dashboard's pages: (page, its title, the charts it draws on the fixture warehouse; None
# for the Models page, which draws one per task of embedder_scores). "overview" is the home page.
DASHBOARD_PAGES = [
    ("overview", "Overview", 3),
    ("pretrain", "Pre-training corpus", 7),
    ("pairs", "Pairs", 4),
    ("downstream", "Downstream", 5),
    ("data_quality", "Data quality", 4),
    ("explorer", "Explorer", 0),
    ("models", "Models", None),
    ("build", "Build the warehouse", 0),
]
EVAL_EXTRA = (
    "the eval extra is not installed (pip install torch==2.13.0 && pip install -e '.[eval]')"
)


def run_pipeline_cli(
    *arguments: str, data_dir: Path, timeout: float = 300, unset: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """`python run_pipeline.py arguments` from the repository root with DW_DATA_DIR=data_dir
    and the variables in unset removed from the environment; its output captured as text."""
    environment = {**os.environ, "DW_DATA_DIR": str(data_dir)}
    for variable in unset:
        environment.pop(variable, None)
    return subprocess.run(
        [sys.executable, "run_pipeline.py", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def warehouse_rows(data_dir: Path, sql: str, parameters=()) -> list[tuple]:
    """The rows of a query on data_dir's warehouse.duckdb, opened read-only."""
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, parameters).fetchall()


def copy_data_folder(data_dir: Path, copy: Path) -> Path:
    """A new folder copy holding what a build reads and writes in data_dir: raw, evaluations
    and the warehouse; returns copy."""
    copy.mkdir()
    for name in ("raw", "evaluations"):
        shutil.copytree(data_dir / name, copy / name)
    shutil.copy2(data_dir / "warehouse.duckdb", copy / "warehouse.duckdb")
    return copy


def require_eval_extra(*modules: str) -> None:
    """Skip the test unless each module named (a part of the eval extra) can be imported."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            pytest.skip(EVAL_EXTRA)


def require_spark_module() -> None:
    """Skip the whole test module unless Spark can run: the spark extra and a Java on PATH."""
    for module in ("pyspark", "dbt.adapters.spark"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(
                f"{module} not installed (pip install -e '.[spark]')", allow_module_level=True
            )
    if shutil.which("java") is None:
        pytest.skip(
            "no java on PATH: Spark needs a JVM (apt-get install openjdk-17-jre-headless)",
            allow_module_level=True,
        )


def local_spark_session(folder: Path, app_name: str):
    """A local Spark session on one core writing nothing outside folder: no UI, no Hive
    metastore, one shuffle partition, Spark's own log at errors only."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={folder}")
        .config("spark.local.dir", str(folder / "local"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def require_mirror() -> Path:
    """The real upstream mirror ../shared/data/raw, or skip the test where it is absent."""
    if not MIRROR.is_dir():
        pytest.skip(f"mirror {MIRROR} not present (it is on CI and developer machines only)")
    return MIRROR


def fixture_dataset(dataset_id: str) -> Dataset:
    """A registry dataset restricted to its fixture files, with no known checksums.

    Fixtures are hand-made in the upstream format, so they cannot carry upstream checksums:
    the warehouse treats them as unverified sources (published counts reported, not enforced).
    """
    files = tuple(
        dataclasses.replace(file, git_blob_sha1=None, size=None)
        for file in REGISTRY[dataset_id].files
        if (FIXTURE_UPSTREAM / file.mirror_folder / file.path).is_file()
    )
    assert files, f"no fixture file for {dataset_id} under {FIXTURE_UPSTREAM}"
    return dataclasses.replace(REGISTRY[dataset_id], files=files)


def kept_in_extra(table_or_rows, key: str) -> list[dict]:
    """The `_extra` objects of a raw table (or its rows) holding a path that names key;
    asserts there is at least one, so a test of schema drift shows nothing was lost."""
    rows = table_or_rows if isinstance(table_or_rows, list) else table_or_rows.to_pylist()
    extras = [json.loads(row["_extra"]) for row in rows if row.get("_extra")]
    holding = [extra for extra in extras if any(key in path for path in extra)]
    assert holding, f"no _extra names {key!r}: {extras}"
    return holding
