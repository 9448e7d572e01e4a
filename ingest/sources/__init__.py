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
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pyarrow as pa


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
class RawTable:
    """How one kind of upstream file becomes raw records."""

    schema: pa.Schema
    parse: Callable[[bytes, str], Iterable[dict[str, Any]]]
    json_array: JsonArray | None = None  # set where DuckDB may read the files natively


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
