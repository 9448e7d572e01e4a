"""The raw store's own file names, which Spark reads, and the renaming of an older raw folder.

Spark skips files whose names start with `_` or `.`, even named explicitly; versions before
wrote `<dataset>/_manifest.parquet` and `<dataset>/<table>/_no_records.parquet`.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ingest import raw_layout, raw_store
from ingest.raw_layout import (
    LEGACY_MANIFEST_NAME,
    LEGACY_PLACEHOLDER_NAME,
    MANIFEST_NAME,
    PLACEHOLDER_NAME,
    rename_legacy_files,
)
from tests.support import REPO_ROOT, local_spark_session
from warehouse import state

SCHEMA = pa.schema([pa.field("text", pa.string()), pa.field("intent", pa.string())])
INGEST_SOURCES = REPO_ROOT / "models" / "staging" / "ingest" / "_ingest__sources.yml"


def manifest_row(dataset: str, table: str, source_path: str, records: int) -> dict:
    return {
        "dataset": dataset,
        "source_path": source_path,
        "locale": "en",
        "table_name": table,
        "status": "ingested",
        "records": records,
        "parser_version": 1,
        "parquet_path": f"{table}/{source_path}.parquet",
    }


def write_dataset(raw: Path, dataset: str) -> None:
    """A dataset folder as ingest writes it: a records table, an empty table, a manifest."""
    dataset_dir = raw / dataset
    records = [{"text": "book a table", "intent": "book"}, {"text": "hi", "intent": "greet"}]
    raw_store.write_records(
        records,
        SCHEMA,
        dataset_dir / "examples" / "train.csv.parquet",
        source_path="train.csv",
        upstream_split="train",
        locale="en",
        location="train.csv",
    )
    raw_store.write_no_records(dataset_dir, "labels", SCHEMA)
    raw_store.write_manifest([manifest_row(dataset, "examples", "train.csv", 2)], dataset_dir)


def make_legacy(dataset_dir: Path) -> None:
    """Give a dataset folder's own files the names versions before wrote."""
    os.rename(dataset_dir / MANIFEST_NAME, dataset_dir / LEGACY_MANIFEST_NAME)
    for placeholder in dataset_dir.glob(f"*/{PLACEHOLDER_NAME}"):
        os.rename(placeholder, placeholder.with_name(LEGACY_PLACEHOLDER_NAME))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under a folder: bytes, inode and mtime, by relative path."""
    return {
        path.relative_to(folder).as_posix(): (
            path.read_bytes(),
            path.stat().st_ino,
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def manifest_glob_sql(raw: Path) -> str:
    """The ingest source's external_location, as dbt renders it for this raw folder."""
    sources = yaml.safe_load(INGEST_SOURCES.read_text())
    [source] = sources["sources"]
    location = source["meta"]["external_location"]
    return re.sub(r"\{\{\s*env_var\('DW_RAW_DIR', 'data/raw'\)\s*\}\}", str(raw), location)


@pytest.fixture
def legacy_raw(tmp_path: Path) -> Path:
    """A raw folder as versions before wrote it, beside files the renaming must not touch."""
    raw = tmp_path / "raw"
    for dataset in ("banking77", "snips"):
        write_dataset(raw, dataset)
        make_legacy(raw / dataset)
    # Not the raw store's own files at their places: left alone.
    shutil.copytree(raw / "snips", raw / ".snips.ingesting.1a2b")  # a running ingest's folder
    shutil.copy2(raw / "snips" / LEGACY_MANIFEST_NAME, raw / LEGACY_MANIFEST_NAME)
    no_manifest = raw / "notes" / "drafts"  # a folder without a manifest: no dataset folder
    no_manifest.mkdir(parents=True)
    shutil.copy2(raw / "snips" / "labels" / LEGACY_PLACEHOLDER_NAME, no_manifest)
    # An upstream file named `_no_records` beside another records file: records, not ours.
    shutil.copy2(
        raw / "snips" / "examples" / "train.csv.parquet",
        raw / "snips" / "examples" / LEGACY_PLACEHOLDER_NAME,
    )
    nested = raw / "banking77" / "examples" / "deeper"
    nested.mkdir()
    shutil.copy2(raw / "banking77" / "labels" / LEGACY_PLACEHOLDER_NAME, nested)
    (raw / "banking77" / "README.txt").write_text("kept")
    return raw


def test_an_older_raw_folder_is_renamed_in_place_and_reads_as_before(legacy_raw: Path) -> None:
    raw = legacy_raw
    manifests_before = {
        dataset: pq.ParquetFile(raw / dataset / LEGACY_MANIFEST_NAME).read().to_pylist()
        for dataset in ("banking77", "snips")
    }
    before = snapshot(raw)

    renamed = rename_legacy_files(raw)

    expected = {
        "banking77/manifest.parquet": "banking77/_manifest.parquet",
        "banking77/labels/no_records.parquet": "banking77/labels/_no_records.parquet",
        "snips/manifest.parquet": "snips/_manifest.parquet",
        "snips/labels/no_records.parquet": "snips/labels/_no_records.parquet",
    }
    assert sorted(path.relative_to(raw).as_posix() for path in renamed) == sorted(expected)
    after = snapshot(raw)
    # Renamed: the same file (bytes, inode, mtime) under its new name, the old name gone.
    assert {new: after[new] for new in expected} == {
        new: before[old] for new, old in expected.items()
    }
    # Nothing else touched: every other file as it was, and no other file new or gone.
    assert {path: after[path] for path in after if path not in expected} == {
        path: before[path] for path in before if path not in expected.values()
    }
    assert (raw / ".snips.ingesting.1a2b" / LEGACY_MANIFEST_NAME).is_file()
    assert (raw / LEGACY_MANIFEST_NAME).is_file()
    assert (raw / "snips" / "examples" / LEGACY_PLACEHOLDER_NAME).is_file()
    assert (raw / "banking77" / "examples" / "deeper" / LEGACY_PLACEHOLDER_NAME).is_file()

    for dataset, rows in manifests_before.items():
        assert list(raw_store.read_manifest(raw / dataset).values()) == rows
    assert state.raw_states(raw)["snips"].records == 2
    assert rename_legacy_files(raw) == []  # done once


def test_the_sources_globs_read_the_renamed_files(legacy_raw: Path) -> None:
    raw = legacy_raw
    rename_legacy_files(raw)

    with duckdb.connect() as connection:
        manifest = connection.sql(
            f"select dataset, source_path, records from {manifest_glob_sql(raw)} order by dataset"
        ).fetchall()
        assert manifest == [("banking77", "train.csv", 2), ("snips", "train.csv", 2)]
        # A table with no records reads as empty and typed (the tables' sources glob this way).
        labels = connection.sql(f"select * from '{raw}/banking77/labels/**/*.parquet'")
        assert labels.fetchall() == []
        assert labels.columns[:2] == ["text", "intent"]


def test_where_both_names_exist_the_current_one_wins(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_dataset(raw, "banking77")
    current = raw_store.read_manifest(raw / "banking77")
    stale = pa.Table.from_pylist([], schema=raw_store.MANIFEST_SCHEMA)
    pq.write_table(stale, raw / "banking77" / LEGACY_MANIFEST_NAME)
    shutil.copy2(
        raw / "banking77" / "labels" / PLACEHOLDER_NAME,
        raw / "banking77" / "labels" / LEGACY_PLACEHOLDER_NAME,
    )
    placeholder_before = (raw / "banking77" / "labels" / PLACEHOLDER_NAME).stat().st_ino

    rename_legacy_files(raw)

    assert raw_store.read_manifest(raw / "banking77") == current
    assert not (raw / "banking77" / LEGACY_MANIFEST_NAME).exists()
    assert not (raw / "banking77" / "labels" / LEGACY_PLACEHOLDER_NAME).exists()
    assert (raw / "banking77" / "labels" / PLACEHOLDER_NAME).stat().st_ino == placeholder_before


def test_a_raw_folder_not_there_yet_is_no_error(tmp_path: Path) -> None:
    assert rename_legacy_files(tmp_path / "raw") == []
    assert not (tmp_path / "raw").exists()


def test_the_names_are_said_once_and_spark_reads_them() -> None:
    assert raw_store.MANIFEST_NAME == state.MANIFEST_NAME == raw_layout.MANIFEST_NAME
    assert raw_store.PLACEHOLDER_NAME == raw_layout.PLACEHOLDER_NAME
    for name in (MANIFEST_NAME, PLACEHOLDER_NAME):
        assert not name.startswith(("_", "."))


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")
def test_spark_reads_the_manifest_and_an_empty_table(tmp_path: Path) -> None:
    """What the renaming is for: Spark finds both files (it skipped the `_` names)."""
    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        pytest.skip("needs pyspark and java (pip install -e '.[spark]')")
    raw = tmp_path / "raw"
    write_dataset(raw, "banking77")
    session = local_spark_session(tmp_path, "test_raw_layout")
    try:
        manifest = session.read.parquet(str(raw / "banking77" / MANIFEST_NAME))
        assert [row["source_path"] for row in manifest.collect()] == ["train.csv"]
        labels = session.read.parquet(str(raw / "banking77" / "labels"))
        assert labels.count() == 0
        assert labels.columns[:2] == ["text", "intent"]
    finally:
        session.stop()
