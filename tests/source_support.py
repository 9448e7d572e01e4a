"""Helpers for the tests of the source modules (ingest/sources): raw tables, ingests, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from ingest import raw_store
from ingest.runner import DatasetReport, run_ingest
from ingest.sources import UpstreamFormatError
from tests.support import FIXTURE_UPSTREAM, fixture_dataset


def raw_table(
    records: list[dict],
    schema: pa.Schema,
    source_path: str,
    split: str | None = None,
    locale: str = "en",
    location: str | None = None,
) -> pa.Table:
    """The raw table of records as raw_store writes it; location defaults to source_path."""
    return raw_store.records_to_table(
        records,
        schema,
        source_path=source_path,
        upstream_split=split,
        locale=locale,
        location=source_path if location is None else location,
    )


def ingest_fixture(dataset_id: str, work_dir: Path) -> list[DatasetReport]:
    """run_ingest of the dataset's fixture files into work_dir/raw (cache work_dir/cache);
    returns its reports, one per dataset."""
    return run_ingest(
        [fixture_dataset(dataset_id)],
        work_dir / "raw",
        work_dir / "cache",
        mirror=FIXTURE_UPSTREAM,
        progress=lambda _: None,
    )


def first_record_parsed_lazily(parse: Callable, path: Path) -> dict:
    """Parse the file at path (its bytes, its path as location); asserts the parser returns a
    lazy iterator (a generator), not a list of every record, and returns its first record."""
    records = parse(path.read_bytes(), str(path))
    assert isinstance(records, Iterator), f"{parse.__name__} returned {type(records).__name__}"
    assert not isinstance(records, list)
    return next(records)


def assert_file_rejected(
    parse: Callable, path: Path, content: str | bytes, match: str | None = None
) -> None:
    """Write content to path (text as UTF-8); parsing the file (its bytes, its path as
    location) raises UpstreamFormatError with a message matching match, by default the file's
    name. The result is read whole, as a generator parser raises only while it is read."""
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    with pytest.raises(UpstreamFormatError, match=re.escape(path.name) if match is None else match):
        list(parse(path.read_bytes(), str(path)))


def jsonl(*records: dict) -> bytes:
    """JSON Lines: one record a line, UTF-8, non-ASCII characters as they are."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
