"""One verified upstream file to its raw Parquet: DuckDB's reader where it provably reads the
file as the source's parser does, else the parser.

Both ways write the same rows in the same schema; the Python parser is the reference, and
the only way a bad file is reported (see ingest.native_json).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest import native_json, raw_store
from ingest.sources import RawTable

Reader = Literal["duckdb", "python"]


@dataclass(frozen=True)
class WrittenFile:
    """How many records one upstream file gave, and which reader converted them."""

    records: int
    reader: Reader
    drift: raw_store.SchemaDrift  # keys of the records kept in `_extra` (none when native)


def write_upstream_file(
    raw_table: RawTable,
    content: bytes,
    path: Path,
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
    location: str,
) -> WrittenFile:
    """Write one upstream file's records to Parquet at path (natively where possible)."""
    if raw_table.json_array is not None:
        with native_json.record_batches(content, raw_table.schema, raw_table.json_array) as batches:
            if batches is not None:
                try:
                    records = raw_store.write_batches(
                        batches,
                        raw_table.schema,
                        path,
                        source_path=source_path,
                        upstream_split=upstream_split,
                        locale=locale,
                    )
                    return WrittenFile(records, "duckdb", raw_store.SchemaDrift())
                except native_json.NativeReadError:
                    pass  # DuckDB refused a value the check let through: the parser decides
    drift = raw_store.SchemaDrift()
    records = raw_store.write_records(
        raw_table.parse(content, location),
        raw_table.schema,
        path,
        source_path=source_path,
        upstream_split=upstream_split,
        locale=locale,
        location=location,
        drift=drift,
    )
    return WrittenFile(records, "python", drift)
