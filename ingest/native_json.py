"""Reading JSON-array upstream files with DuckDB's native reader, exactly as the parsers do.

DuckDB's `read_json`, given the declared schema as `columns`, converts a file many times
faster than `json.loads` plus `pa.Table.from_pylist`, but it is more lenient than that
Python path: it drops keys it was not told about, casts between JSON types (5 becomes "5",
1.5 becomes 2), accepts trailing commas, and reads a null record as a row of nulls. So a
file is converted here only after a first DuckDB pass over its whole text has shown that
it holds nothing the Python path would treat differently:

- its structure (`json_structure`: the JSON types of every key at every depth, merged over
  the array) is an array of objects with only declared keys, each holding exactly the JSON
  type the schema declares (string, integer, boolean, array, object) or null; a field that
  holds the JSON text of the upstream value may hold anything;
- no record is null (the structure merges nulls away, and a null record is no object);
- no comma is followed by a closing bracket (Python's json rejects `[1,]` and `{"a": 1,}`).
  This is searched in the whole text, so a match inside a string value sends a good file
  to Python too: slower, never different.

A file that fails the check, or that DuckDB cannot read (bad JSON, bad UTF-8, a BOM, a
number out of range, a duplicate key), is not converted here: the caller hands it to the
source's Python parser, which writes it or fails with the message it always gave, naming
the file and the record. The Python parser stays the reference; this module is a faster
way to the same rows.

JSON-text fields are read as DuckDB JSON (compact text, numbers as written) and written
again with `raw_store.to_json_text`, so their text is Python's, byte for byte.
"""

from __future__ import annotations

import functools
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ingest import raw_store
from ingest.sources import JsonArray

if TYPE_CHECKING:
    import duckdb

# Where a field's JSON text is marked: True at a JSON-text string field (and the lists and
# map values under it), a dict of marks by field name along the way to one, None elsewhere.
Marks = dict[str, Any] | bool | None

# DuckDB's types for the Arrow scalars a natively read schema may use.
_DUCKDB_SCALARS = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.bool_(): "BOOLEAN"}
# json_structure's names for JSON values, and the Arrow types each fills exactly as
# pa.Table.from_pylist would. Anything else (an integer for a string, a float for an
# integer, mixed types, which it calls "JSON") leaves the file to the Python path.
_STRUCTURE_NAMES = {
    pa.string(): {"VARCHAR"},
    pa.int64(): {"UBIGINT", "BIGINT"},
    pa.bool_(): {"BOOLEAN"},
}
_NULL_STRUCTURE = "NULL"
# A comma, JSON white space, then a closing bracket: accepted by DuckDB, not by Python.
_TRAILING_COMMA_PATTERN = r",[ \t\n\r]*[\]}]"


class NativeReadError(RuntimeError):
    """DuckDB refused a file the check let through; the Python parser must read it."""


def json_text_marks(schema: pa.Schema, layout: JsonArray) -> dict[str, Any]:
    """The layout's JSON-text paths as marks, each checked to end at a string field."""
    marks: dict[str, Any] = {}
    for path in layout.json_text_fields:
        node, data_type = marks, pa.struct(list(schema))
        for depth, name in enumerate(path):
            struct_type = _innermost(data_type)
            if not pa.types.is_struct(struct_type) or struct_type.get_field_index(name) < 0:
                raise ValueError(f"JSON-text path {path}: no field {name!r} at depth {depth}")
            data_type = struct_type.field(name).type
            if depth < len(path) - 1:
                node = node.setdefault(name, {})
            else:
                node[name] = True
        if not pa.types.is_string(_innermost(data_type)):
            raise ValueError(f"JSON-text path {path} does not end at a string field")
    return marks


def _innermost(data_type: pa.DataType) -> pa.DataType:
    """The type under any lists and map values (a struct, or a scalar)."""
    while pa.types.is_list(data_type) or pa.types.is_map(data_type):
        data_type = data_type.value_type if pa.types.is_list(data_type) else data_type.item_type
    return data_type


def _child_marks(marks: Marks, name: str) -> Marks:
    return marks.get(name) if isinstance(marks, dict) else marks


def duckdb_type(data_type: pa.DataType, marks: Marks = None) -> str:
    """The DuckDB type read_json converts a value of this Arrow type to (JSON for JSON text)."""
    if pa.types.is_list(data_type):
        return f"{duckdb_type(data_type.value_type, marks)}[]"
    if pa.types.is_map(data_type):
        key = duckdb_type(data_type.key_type)
        return f"MAP({key}, {duckdb_type(data_type.item_type, marks)})"
    if pa.types.is_struct(data_type):
        fields = ", ".join(
            f"{_identifier(field.name)} {duckdb_type(field.type, _child_marks(marks, field.name))}"
            for field in data_type
        )
        return f"STRUCT({fields})"
    if marks is True:
        return "JSON"
    if data_type not in _DUCKDB_SCALARS:
        raise TypeError(f"{data_type} is not read natively; declare no json_array for it")
    return _DUCKDB_SCALARS[data_type]


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def columns_literal(schema: pa.Schema, marks: dict[str, Any]) -> str:
    """read_json's `columns` argument for a schema: a struct of column name to type name."""
    entries = ", ".join(
        _string_literal(field.name)
        + ": "
        + _string_literal(duckdb_type(field.type, marks.get(field.name)))
        for field in schema
    )
    return "{" + entries + "}"


def structure_fits(structure: Any, data_type: pa.DataType, marks: Marks = None) -> bool:
    """Whether values of this json_structure become exactly what the Python path makes."""
    if structure == _NULL_STRUCTURE:
        return True
    if pa.types.is_list(data_type):
        return isinstance(structure, list) and structure_fits(
            structure[0], data_type.value_type, marks
        )
    if pa.types.is_map(data_type):
        return isinstance(structure, dict) and all(
            structure_fits(item, data_type.item_type, marks) for item in structure.values()
        )
    if pa.types.is_struct(data_type):
        return isinstance(structure, dict) and all(
            data_type.get_field_index(name) >= 0
            and structure_fits(item, data_type.field(name).type, _child_marks(marks, name))
            for name, item in structure.items()
        )
    if marks is True:
        return True  # any JSON value becomes its JSON text
    return isinstance(structure, str) and structure in _STRUCTURE_NAMES.get(data_type, set())


@functools.cache
def _database() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB for the process (a connection takes ~20 ms to open)."""
    import duckdb  # here, not at the top: a run that converts nothing need not load it

    # One DuckDB thread per query: the ingest converts several files at a time on threads of
    # its own (ingest.runner), and for one file of a few MB more threads measured no faster.
    return duckdb.connect(config={"threads": 1})


_per_thread = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """This thread's cursor on the process's DuckDB (a connection object is not shared
    between threads that query at the same time)."""
    cursor = getattr(_per_thread, "cursor", None)
    if cursor is None:
        cursor = _per_thread.cursor = _database().cursor()
    return cursor


def _duckdb_errors() -> tuple[type[BaseException], ...]:
    import duckdb

    # Errors raised while DuckDB streams Arrow batches may surface as Arrow errors.
    return (duckdb.Error, pa.ArrowException)


@contextmanager
def record_batches(
    content: bytes, schema: pa.Schema, layout: JsonArray
) -> Iterator[Iterator[pa.RecordBatch] | None]:
    """The file's records as Arrow batches of the schema, or None where the file does not
    provably read as the Python path reads it.

    The batches raise NativeReadError if DuckDB refuses a value the check let through (an
    integer beyond int64, a duplicate key); the caller then starts the file again in Python.
    DuckDB reads a copy of the verified bytes in a temporary file, removed on leaving.
    """
    marks = json_text_marks(schema, layout)
    with tempfile.NamedTemporaryFile(prefix="dialogue-warehouse-", suffix=".json") as copy:
        copy.write(content)
        copy.flush()
        reads_natively = _reads_natively(copy.name, schema, marks)
        yield _batches(copy.name, schema, marks) if reads_natively else None


def _reads_natively(path: str, schema: pa.Schema, marks: dict[str, Any]) -> bool:
    """Whether DuckDB's read_json gives exactly the records the Python path gives."""
    query = f"""
        select
            json_structure(content) as structure,
            list_contains(json_type(content, '$[*]'), 'NULL') as has_null_record,
            regexp_matches(content, {_string_literal(_TRAILING_COMMA_PATTERN)})
                as may_have_trailing_comma
        from read_text({_string_literal(path)})
    """
    try:
        [(structure, has_null_record, may_have_trailing_comma)] = (
            _connection().sql(query).fetchall()
        )
    except _duckdb_errors():
        return False  # bad JSON, bad UTF-8, a BOM, ...: the Python parser says what is wrong
    if structure is None or has_null_record or may_have_trailing_comma:
        return False
    structure = json.loads(structure)
    # The top level must be an array of objects (json_structure merges the elements' own).
    return (
        isinstance(structure, list)
        and isinstance(structure[0], dict)
        and structure_fits(structure[0], pa.struct(list(schema)), marks)
    )


def _batches(path: str, schema: pa.Schema, marks: dict[str, Any]) -> Iterator[pa.RecordBatch]:
    """The records converted by read_json, as batches of the declared schema."""
    query = f"""
        select * from read_json(
            {_string_literal(path)}, format = 'array', records = true,
            columns = {columns_literal(schema, marks)}
        )
    """
    try:
        reader = _connection().sql(query).to_arrow_reader(raw_store.CHUNK_RECORDS)
        try:
            for batch in reader:
                yield _as_declared(batch, schema, marks)
        finally:
            reader.close()  # so the connection can run the next query even after a failure
    except _duckdb_errors() as error:
        raise NativeReadError(f"DuckDB refused the file: {error}") from error


def _as_declared(batch: pa.RecordBatch, schema: pa.Schema, marks: dict[str, Any]) -> pa.RecordBatch:
    """A batch from DuckDB as the declared schema: JSON text rewritten, names and types cast."""
    columns = [
        _with_python_json_text(batch.column(field.name), marks.get(field.name)).cast(field.type)
        for field in schema
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _with_python_json_text(array: pa.Array, marks: Marks) -> pa.Array:
    """The array with each JSON-text string written again as raw_store.to_json_text does."""
    if not marks:
        return array
    data_type = array.type
    if pa.types.is_list(data_type):
        values = _with_python_json_text(array.values, marks)
        return pa.ListArray.from_arrays(array.offsets, values, mask=array.is_null())
    if pa.types.is_map(data_type):
        entries = array.values  # keys and items of every map, unsliced, as `offsets` expects
        items = _with_python_json_text(entries.field(1), marks)
        return pa.MapArray.from_arrays(array.offsets, entries.field(0), items, mask=array.is_null())
    if pa.types.is_struct(data_type):
        children = [
            _with_python_json_text(array.field(index), _child_marks(marks, field.name))
            for index, field in enumerate(data_type)
        ]
        names = [field.name for field in data_type]
        return pa.StructArray.from_arrays(children, names=names, mask=array.is_null())
    texts = array.to_pylist()
    return pa.array(
        [None if text is None else raw_store.to_json_text(json.loads(text)) for text in texts],
        pa.string(),
    )
