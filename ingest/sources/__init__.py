"""One module per upstream source format.

Each module declares ``PARSER_VERSION`` (raise it when parsing changes, so earlier raw
output is redone) and ``TABLES``, which maps each raw table its files feed (the ``table``
column of upstream_files.tsv) to a ``RawTable``: the upstream record as an Arrow schema,
nesting kept, and ``parse(content, location)``, which turns one upstream file's bytes into
its records exactly as upstream has them (a list, or an iterator for very large files).

A table whose files are one JSON array of records, each written as ``parse`` returns it but
for some string fields holding the JSON text of the upstream value, also declares
``json_array``: its files are then read by DuckDB's native JSON reader where a file provably
reads the same (see ``ingest.native_json``); ``parse`` stays the reference, used for every
other file and for naming what is wrong with a bad one.

A table may also declare:

- ``required``: the keys (dotted paths through objects, ``scenario.uuid``) every record must
  hold with a value of the declared type: what identifies a record. A record without one
  cannot be read at all and stops the dataset, naming the file and the record; anything
  else a record holds that the schema does not declare is kept in ``_extra`` (schema drift).
- ``reads_file``: ``parse`` gets an open, seekable binary file instead of the bytes, so an
  archive far larger than memory (MASSIVE's tarball, MInDS-14's zip) is streamed from the
  local file, never held whole.
- ``notes_drift``: ``parse`` takes a keyword ``drift`` (a ``raw_store.SchemaDrift``) and
  counts in it what it could not read as records, such as an archive member of no known
  kind, which the manifest records and the build reports like any other schema drift.
- ``chunks``: the files are consecutive pieces of one upstream file (upstream: ``cat
  train-*.tsv > train.tsv``), which the ingest concatenates before cutting them again at
  record boundaries (see ``Chunks``).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import IO, Any

import pyarrow as pa

# Python's csv module refuses a field longer than 131,072 characters unless told otherwise;
# an upstream cell may be longer (a whole transcript), which is data, not an error. The limit
# is the process's, set once here for every parser that reads CSV or TSV.
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class JsonArray:
    """Files that are one JSON array of records, which DuckDB's read_json can convert.

    `json_text_fields` lists the string fields that `parse` fills with the JSON text of the
    upstream value (raw_store.to_json_text), each as its path of field names from the record
    down (lists and map values on the way are implied by the schema): `("turns", "frames",
    "slots", "value")`.
    """

    json_text_fields: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Chunks:
    """Files that are pieces of one file cut at arbitrary bytes (a record may straddle two).

    `group` names the whole file a piece belongs to (pieces of one group are concatenated in
    the order of their paths, as `cat train-*.tsv` does); `record_starts` gives the byte
    offsets at which the records of the whole file start. Each piece then keeps the records
    that start in it, a straddling record whole, and is parsed as a file of its own.
    """

    group: Callable[[str], str]
    record_starts: Callable[[bytes, str], Iterable[int]]


@dataclass(frozen=True)
class RawTable:
    """How one kind of upstream file becomes raw records."""

    schema: pa.Schema
    parse: Callable[..., Iterable[dict[str, Any]]]  # (content or file, location[, drift=])
    json_array: JsonArray | None = None  # set where DuckDB may read the files natively
    required: tuple[str, ...] = ()  # keys every record must hold (see the module docstring)
    reads_file: bool = False  # parse gets an open binary file, not the bytes
    notes_drift: bool = False  # parse takes drift=, counting what it could not read
    chunks: Chunks | None = None  # the files are pieces of one file per group


def as_stream(content: bytes | IO[bytes]) -> IO[bytes]:
    """A seekable binary stream of the content: the file itself, or the bytes wrapped."""
    return io.BytesIO(content) if isinstance(content, bytes | bytearray) else content


class UpstreamFormatError(ValueError):
    """An upstream file that cannot be parsed in its documented format."""


def load_json(text: str, location: str) -> Any:
    """json.loads with an error that names the file and the position."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UpstreamFormatError(f"{location}: not valid JSON ({error})") from error


def decode_utf8(content: bytes, location: str) -> str:
    """Strict UTF-8 decoding (a leading BOM is dropped) with an error that names the file."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UpstreamFormatError(f"{location}: not valid UTF-8 ({error})") from error


def expect_list_of_objects(value: Any, location: str) -> list[dict[str, Any]]:
    """The top-level JSON array of records, checked."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UpstreamFormatError(f"{location}: expected a JSON array of objects at the top level")
    return value


def load_json_array_of_objects(content: bytes, location: str) -> list[dict[str, Any]]:
    """The records of a UTF-8 file that holds one JSON array of objects, checked."""
    return expect_list_of_objects(load_json(decode_utf8(content, location), location), location)


def listed_objects(owner: dict[str, Any], list_field: str) -> list[dict[str, Any]]:
    """The objects in an object's list `list_field`, in order (what is not an object is
    skipped; no list, none)."""
    listed = owner.get(list_field)
    if not isinstance(listed, list):
        return []
    return [item for item in listed if isinstance(item, dict)]


def replace_in_listed_objects(
    owners: Iterable[dict[str, Any]],
    list_field: str,
    names: Iterable[str],
    replace: Callable[[Any], Any],
) -> None:
    """In each object of each owner's list `list_field`, the fields of `names` it holds become
    replace(value), in place; what is not a list or not an object is left for the schema check."""
    for owner in owners:
        for listed in listed_objects(owner, list_field):
            for name in names:
                if name in listed:
                    listed[name] = replace(listed[name])


def read_csv_records(
    text: str, location: str, expected_header: list[str], delimiter: str = ","
) -> list[dict[str, str]]:
    """Rows of a CSV file with exactly the expected header, as dicts; an error names the line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header != expected_header:
        raise UpstreamFormatError(f"{location}: header {header}, expected {expected_header}")
    records = []
    for line_number, row in enumerate(reader, start=2):  # the header is row 1
        if len(row) != len(expected_header):
            raise UpstreamFormatError(
                f"{location}: row {line_number} has {len(row)} fields, "
                f"expected {len(expected_header)}"
            )
        records.append(dict(zip(expected_header, row, strict=True)))
    return records


def parser_for(dataset_id: str) -> ModuleType:
    """The source module that parses a dataset's files."""
    return importlib.import_module(f"ingest.sources.{dataset_id}")
