"""Writing raw records to Parquet, nesting kept, with provenance columns and a manifest.

Layout under the raw folder (``data/raw`` by default):

    <dataset>/manifest.parquet                 one row per registered upstream file
    <dataset>/<table>/<upstream path>.parquet  the records of one upstream file
    <dataset>/<table>/no_records.parquet       empty and typed, where a table has no records

Names Spark reads (no leading `_`), kept in ingest.raw_layout with the renaming of the names
older versions wrote (`rename_legacy_files`).

A dataset's folder is written whole into a temporary sibling and swapped in by
renames, so a failed ingest leaves the previous folder as it was.

Schema drift is kept, not fatal: a record with a key the source's schema does not declare,
or a value of another JSON type than declared, is written with the declared part in the
declared columns and the rest, verbatim, in the `_extra` column: the JSON text of an object
from each such value's path in the record (`turns[0].frames[0].dialogue_acts`) to the value
(null where the record has none). The declared column at a mistyped path holds null. Every
such key is counted per file (`SchemaDrift`: its path with list positions and map keys left
out, `turns[].frames[].dialogue_acts`, the kind, and the records holding it), which the
manifest records and the build reports as a warning. A parser may count more kinds of
drift in the same way: an archive member it does not know (`unread member`, left in the
archive, not read), or a record cut by a missing file (`partial record`, see
ingest.chunks).

What cannot be read at all stops the file, naming it and the record: a record without one
of the source's required keys (`RawTable.required`, what identifies a record) or with a
value of another type there.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.raw_layout import MANIFEST_NAME, PLACEHOLDER_NAME

CHUNK_RECORDS = 20_000  # records converted and written at a time, so memory stays bounded

PROVENANCE_FIELDS = [
    pa.field("_source_path", pa.string(), nullable=False),
    pa.field("_upstream_split", pa.string()),
    pa.field("_locale", pa.string(), nullable=False),
    pa.field("_record_index", pa.int64(), nullable=False),
    # What of the record the schema does not declare, verbatim (see the module docstring).
    pa.field("_extra", pa.string()),
]
EXTRA_FIELD_NAME = "_extra"

UNKNOWN_KEY = "unknown key"  # a key the schema does not declare: kept in `_extra`
OTHER_TYPE = "other type"  # a value of another JSON type than declared: kept in `_extra`
UNREAD_MEMBER = "unread member"  # an archive member of no kind the parser reads
PARTIAL_RECORD = "partial record"  # part of a record whose other part is in a missing file
DRIFT_KINDS = (UNKNOWN_KEY, OTHER_TYPE, UNREAD_MEMBER, PARTIAL_RECORD)

# One row per drifting key of a file: its generic path, the kind of drift, how many records.
SCHEMA_DRIFT_TYPE = pa.list_(
    pa.struct(
        [
            pa.field("key", pa.string()),
            pa.field("kind", pa.string()),
            pa.field("records", pa.int64()),
        ]
    )
)

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("source_path", pa.string(), nullable=False),
        pa.field("upstream_split", pa.string()),
        pa.field("locale", pa.string(), nullable=False),
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),  # ingested | missing
        pa.field("origin", pa.string()),  # mirror | cache | download
        pa.field("location", pa.string()),
        pa.field("bytes", pa.int64()),
        pa.field("git_blob_sha1", pa.string()),
        pa.field("checksum_verified", pa.bool_()),
        pa.field("records", pa.int64()),
        pa.field("parser_version", pa.int64()),
        pa.field("parquet_path", pa.string()),
        pa.field("ingested_at", pa.timestamp("us", tz="UTC")),
        # The local file the bytes were read from or saved to (the mirror or cache path; the
        # location, except for a download) and its state then: a rerun that finds it in the
        # same state keeps the verified result without reading it again.
        pa.field("local_path", pa.string()),
        pa.field("local_bytes", pa.int64()),  # size on disk (compressed, for a .gz copy)
        pa.field("local_mtime_ns", pa.int64()),
        pa.field("local_ctime_ns", pa.int64()),
        # Keys of the file's records that the schema does not declare, kept in `_extra`.
        pa.field("schema_drift", SCHEMA_DRIFT_TYPE),
        # What the checksum was verified against: registry (published upstream), lock file
        # (recorded by an earlier run), first use (recorded now), or null where not verified.
        pa.field("checksum_source", pa.string()),
    ]
)


class RawRecordError(ValueError):
    """A record whose structure does not match the source's declared schema."""


def full_schema(source_schema: pa.Schema) -> pa.Schema:
    """The upstream schema plus the provenance columns."""
    return pa.schema(list(source_schema) + PROVENANCE_FIELDS)


def check_structure(value: Any, data_type: pa.DataType, where: str) -> None:
    """Raise RawRecordError where value has keys or shapes the schema does not declare."""
    if value is None:
        return
    if pa.types.is_struct(data_type):
        if not isinstance(value, dict):
            raise RawRecordError(f"{where}: expected an object, found {type(value).__name__}")
        declared = {data_type.field(i).name for i in range(data_type.num_fields)}
        unknown = set(value) - declared
        if unknown:
            raise RawRecordError(f"{where}: unexpected key(s) {sorted(unknown)}")
        for i in range(data_type.num_fields):
            child = data_type.field(i)
            check_structure(value.get(child.name), child.type, f"{where}.{child.name}")
    elif pa.types.is_map(data_type):
        if not isinstance(value, dict):
            raise RawRecordError(f"{where}: expected an object, found {type(value).__name__}")
        for key, item in value.items():
            check_structure(item, data_type.item_type, f"{where}[{key!r}]")
    elif pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        if not isinstance(value, list):
            raise RawRecordError(f"{where}: expected a list, found {type(value).__name__}")
        for index, item in enumerate(value):
            check_structure(item, data_type.value_type, f"{where}[{index}]")


def to_json_text(value: Any) -> str | None:
    """Upstream fields whose type varies are kept as their JSON text."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


class SchemaDrift(Counter):
    """Records per (generic key path, kind) of one file's schema drift."""

    def rows(self) -> list[dict[str, Any]]:
        """The counts as manifest rows, sorted by key."""
        return [
            {"key": key, "kind": kind, "records": count}
            for (key, kind), count in sorted(self.items())
        ]


def describe_drift(row: dict[str, Any]) -> str:
    """One manifest drift row in words, as the ingest prints it."""
    key, kind, count = row["key"], row["kind"], row["records"]
    if kind in (UNKNOWN_KEY, OTHER_TYPE):
        return f"{kind} {key} in {count:,} record(s), kept in _extra"
    if kind == UNREAD_MEMBER:
        return f"{kind} {key}: no kind of file this source reads, left in the archive"
    if kind == PARTIAL_RECORD:
        return f"{kind} at the {key}: its other part is in a missing file, not read"
    return f"{kind} {key} in {count:,} record(s)"


def _json_type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "a list", dict: "an object"})
    return names.get(type(value), type(value).__name__)


def required_key_problem(record: Any, path: str, source_schema: pa.Schema) -> str | None:
    """What is wrong with a required key of a record (a dotted path), or None if nothing."""
    value, data_type = record, pa.struct(list(source_schema))
    for name in path.split("."):
        if not isinstance(value, dict) or value.get(name) is None:
            return "is missing" if not isinstance(value, dict) or name not in value else "is null"
        value, data_type = value[name], data_type.field(name).type
    if pa.types.is_struct(data_type) or pa.types.is_list(data_type) or pa.types.is_map(data_type):
        return None
    if not _scalar_fits(value, data_type):
        return f"is {_json_type_name(value)} ({str(value)[:40]!r}), expected {data_type}"
    return None


def check_required(
    records: list[Any],
    required: tuple[str, ...],
    source_schema: pa.Schema,
    location: str,
    first_index: int,
) -> None:
    """Raise RawRecordError naming the first record that lacks a required key."""
    for offset, record in enumerate(records):
        for path in required:
            problem = required_key_problem(record, path, source_schema)
            if problem is not None:
                raise RawRecordError(
                    f"{location}: record {first_index + offset} (0-based): required key "
                    f"{path!r} {problem}; the record cannot be identified, so the file is not "
                    "ingested"
                )


_INT64_RANGE = range(-(2**63), 2**63)


def _scalar_fits(value: Any, data_type: pa.DataType) -> bool:
    """Whether a JSON scalar is of the declared Arrow type (no coercion)."""
    if pa.types.is_string(data_type):
        return isinstance(value, str)
    if pa.types.is_boolean(data_type):
        return isinstance(value, bool)
    if pa.types.is_integer(data_type):
        return isinstance(value, int) and not isinstance(value, bool) and value in _INT64_RANGE
    if pa.types.is_floating(data_type):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _set_aside(
    value: Any, path: str, generic: str, extras: dict[str, Any], kinds: set[tuple[str, str]]
) -> None:
    """Put a value not of its declared type in extras at its path, note its kind; its declared
    part is None."""
    extras[path] = value
    kinds.add((generic, OTHER_TYPE))
    return None


def _declared_part(
    value: Any,
    data_type: pa.DataType,
    path: str,
    generic: str,
    extras: dict[str, Any],
    kinds: set[tuple[str, str]],
) -> Any:
    """value with what the type does not declare moved to extras (by exact path)."""
    if value is None:
        return None
    if pa.types.is_struct(data_type):
        if not isinstance(value, dict):
            return _set_aside(value, path, generic, extras, kinds)
        declared = {}
        for key, item in value.items():
            index = data_type.get_field_index(key)
            child_path = f"{path}.{key}" if path else key
            child_generic = f"{generic}.{key}" if generic else key
            if index < 0:
                extras[child_path] = item
                kinds.add((child_generic, UNKNOWN_KEY))
            else:
                declared[key] = _declared_part(
                    item, data_type.field(index).type, child_path, child_generic, extras, kinds
                )
        return declared
    if pa.types.is_map(data_type):
        if not isinstance(value, dict):
            return _set_aside(value, path, generic, extras, kinds)
        return {
            key: _declared_part(
                item,
                data_type.item_type,
                f"{path}[{json.dumps(key, ensure_ascii=False)}]",
                f"{generic}[]",
                extras,
                kinds,
            )
            for key, item in value.items()
        }
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        if not isinstance(value, list):
            return _set_aside(value, path, generic, extras, kinds)
        item_type, item_generic = data_type.value_type, f"{generic}[]"
        return [
            _declared_part(item, item_type, f"{path}[{i}]", item_generic, extras, kinds)
            for i, item in enumerate(value)
        ]
    if not _scalar_fits(value, data_type):
        return _set_aside(value, path, generic, extras, kinds)
    return value


def split_record(
    record: dict[str, Any], source_schema: pa.Schema, drift: SchemaDrift
) -> dict[str, Any]:
    """The record's declared part, with the rest as the JSON text of `_extra` (None if none)."""
    extras: dict[str, Any] = {}
    kinds: set[tuple[str, str]] = set()
    declared = _declared_part(record, pa.struct(list(source_schema)), "", "", extras, kinds)
    drift.update(kinds)
    declared[EXTRA_FIELD_NAME] = to_json_text(extras) if extras else None
    return declared


def _with_provenance(
    records: list[dict[str, Any]],
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
    first_index: int,
) -> list[dict[str, Any]]:
    return [
        {
            **record,
            "_source_path": source_path,
            "_upstream_split": upstream_split,
            "_locale": locale,
            "_record_index": index,
        }
        for index, record in enumerate(records, start=first_index)
    ]


def records_to_table(
    records: list[dict[str, Any]],
    source_schema: pa.Schema,
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
    location: str,
    first_index: int = 0,
    drift: SchemaDrift | None = None,
    required: tuple[str, ...] = (),
) -> pa.Table:
    """Build the Arrow table with provenance, keeping undeclared parts of records in `_extra`.

    Records that fit the schema (nearly always) take the fast path; a chunk where one does
    not is split record by record (see split_record), and drift counts what was kept aside.
    A record without a required key stops the file (RawRecordError naming the record).
    """
    check_required(records, required, source_schema, location, first_index)
    schema = full_schema(source_schema)
    provenance = {
        "source_path": source_path,
        "upstream_split": upstream_split,
        "locale": locale,
        "first_index": first_index,
    }
    try:
        for record in records:
            for name in record:
                if source_schema.get_field_index(name) < 0:
                    raise RawRecordError(name)
            for schema_field in source_schema:
                check_structure(record.get(schema_field.name), schema_field.type, "")
        return pa.Table.from_pylist(_with_provenance(records, **provenance), schema=schema)
    except (RawRecordError, pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        pass  # something does not fit: split every record of the chunk
    counts = drift if drift is not None else SchemaDrift()
    split = [split_record(record, source_schema, counts) for record in records]
    try:
        return pa.Table.from_pylist(_with_provenance(split, **provenance), schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as error:
        message = f"{location}: records do not fit the source schema: {error}"
        raise RawRecordError(message) from error


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write one Parquet file (the caller's folder is temporary until swapped in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")


def write_records(
    records: Iterable[dict[str, Any]],
    source_schema: pa.Schema,
    path: Path,
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
    location: str,
    drift: SchemaDrift | None = None,
    required: tuple[str, ...] = (),
) -> int:
    """Write one upstream file's records to Parquet, CHUNK_RECORDS at a time; return the count.

    drift, where given, counts the keys kept in `_extra`; every record must hold the
    required keys (see records_to_table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with pq.ParquetWriter(path, full_schema(source_schema), compression="zstd") as writer:
        iterator = iter(records)
        while chunk := list(itertools.islice(iterator, CHUNK_RECORDS)):
            table = records_to_table(
                chunk,
                source_schema,
                source_path=source_path,
                upstream_split=upstream_split,
                locale=locale,
                location=location,
                first_index=written,
                drift=drift,
                required=required,
            )
            writer.write_table(table)
            written += table.num_rows
    return written


def write_batches(
    batches: Iterable[pa.RecordBatch],
    source_schema: pa.Schema,
    path: Path,
    *,
    source_path: str,
    upstream_split: str | None,
    locale: str,
) -> int:
    """Write batches already in the source schema to Parquet, adding provenance; the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = full_schema(source_schema)
    written = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            count = batch.num_rows
            provenance = [
                pa.repeat(pa.scalar(source_path, pa.string()), count),
                pa.repeat(pa.scalar(upstream_split, pa.string()), count),
                pa.repeat(pa.scalar(locale, pa.string()), count),
                pa.array(range(written, written + count), pa.int64()),
                pa.nulls(count, pa.string()),  # _extra: the check found nothing undeclared
            ]
            writer.write_batch(
                pa.RecordBatch.from_arrays([*batch.columns, *provenance], schema=schema)
            )
            written += count
    return written


def write_manifest(rows: Iterable[dict[str, Any]], dataset_dir: Path) -> None:
    """Write the dataset's ingest manifest."""
    table = pa.Table.from_pylist(list(rows), schema=MANIFEST_SCHEMA)
    pq.write_table(table, dataset_dir / MANIFEST_NAME)


def read_manifest(dataset_dir: Path) -> dict[str, dict[str, Any]]:
    """The previous ingest manifest of a dataset, by upstream path ({} if none)."""
    path = dataset_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    # ParquetFile, not pq.read_table: that one imports pyarrow.dataset, ~0.2 s of an
    # unchanged rerun that takes ~0.5 s in all.
    return {row["source_path"]: row for row in pq.ParquetFile(path).read().to_pylist()}


def utc_now() -> datetime:
    return datetime.now(UTC)


def swap_in(new_dir: Path, final_dir: Path) -> None:
    """Replace final_dir by new_dir with renames; the old folder is removed last."""
    retired = final_dir.with_name(f".{final_dir.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if final_dir.exists():
        os.replace(final_dir, retired)
    os.replace(new_dir, final_dir)
    if retired.exists():
        shutil.rmtree(retired)


def write_no_records(dataset_dir: Path, table_name: str, source_schema: pa.Schema) -> None:
    """An empty, typed records file, so dbt can read a raw table that holds no records."""
    empty = full_schema(source_schema).empty_table()
    write_parquet(empty, dataset_dir / table_name / PLACEHOLDER_NAME)


def write_placeholder(dataset_dir: Path, tables: dict[str, pa.Schema]) -> None:
    """An empty, typed dataset folder, so the warehouse builds before a dataset is ingested."""
    work_dir = dataset_dir.with_name(f".{dataset_dir.name}.placeholder")
    if work_dir.exists():
        shutil.rmtree(work_dir)
    for table_name, source_schema in tables.items():
        write_no_records(work_dir, table_name, source_schema)
    write_manifest([], work_dir)
    swap_in(work_dir, dataset_dir)
