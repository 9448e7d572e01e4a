"""One verified upstream file to its raw Parquet: DuckDB's reader where it provably reads the
file as the source's parser does, else the parser.

Both ways write the same rows in the same schema; the Python parser is the reference, and
the only way a bad file is reported (see ingest.native_json). A table whose parser reads an
open file (`RawTable.reads_file`: archives too large for memory) is given the file, never
its bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import pyarrow as pa
import pyarrow.compute as pc

from ingest import native_json, raw_store
from ingest.sources import RawTable

Reader = Literal["duckdb", "python"]


@dataclass(frozen=True)
class WrittenFile:
    """How many records one upstream file gave, and which reader converted them."""

    records: int
    reader: Reader
    drift: raw_store.SchemaDrift  # keys of the records kept in `_extra` (none when native)


def _with_required_keys(
    batches: Iterable[pa.RecordBatch], required: tuple[str, ...]
) -> Iterator[pa.RecordBatch]:
    """The batches, refusing (NativeReadError) one where a required key is null or absent:
    the Python parser then reads the file again and names the record."""
    for batch in batches:
        for path in required:
            first, *rest = path.split(".")
            values = batch.column(first)
            for name in rest:
                values = pc.struct_field(values, name)
            if values.null_count:
                raise native_json.NativeReadError(f"required key {path!r} null in a record")
        yield batch


def write_upstream_file(
    raw_table: RawTable,
    content: bytes | IO[bytes],
    path: Path,
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
    location: str,
) -> WrittenFile:
    """Write one upstream file's records to Parquet at path (natively where possible).

    content is the file's bytes, or, for a table whose parser reads files, the open file."""
    if raw_table.json_array is not None and isinstance(content, bytes):
        with native_json.record_batches(content, raw_table.schema, raw_table.json_array) as batches:
            if batches is not None:
                try:
                    records = raw_store.write_batches(
                        _with_required_keys(batches, raw_table.required),
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
    parsed = (
        raw_table.parse(content, location, drift=drift)
        if raw_table.notes_drift
        else raw_table.parse(content, location)
    )
    records = raw_store.write_records(
        parsed,
        raw_table.schema,
        path,
        source_path=source_path,
        upstream_split=upstream_split,
        locale=locale,
        location=location,
        drift=drift,
        required=raw_table.required,
    )
    return WrittenFile(records, "python", drift)
