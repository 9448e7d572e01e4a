"""Microsoft E2E Dialogue Challenge (xiul-msr/e2e_dialog_challenge `data/<domain>_all.tsv`).

Each file (movie, restaurant, taxi) is tab-separated, one row per MESSAGE (not per dialogue),
header row first:
`session.ID`, `Message.ID`, `Message.Timestamp`, `Message.From`, `Message.Text`, then one
or more act columns whose names vary (`Dialog-Acts` and nine empty names in movie,
`Annotation_Result` in taxi). Rows carry as many act columns as they have acts, so a row may
have more or fewer fields than the header. Text with commas is quoted CSV-style, so the
file is read with the csv module (tab delimiter, standard `"` quoting); movie_all.tsv starts
with a UTF-8 BOM, which is dropped.

One raw record per data row, every row kept, in file order; the fields are the header's,
renamed:

    session.ID        -> session_id  (int; sessions restart at 1 in each domain file)
    Message.ID        -> message_id  (int; rows are not always in this order, one repeats)
    Message.Timestamp -> timestamp   (text, verbatim)
    Message.From      -> sender      (text, verbatim: `user` / `agent`, typos such as `usre`
                                      kept for staging to show)
    Message.Text      -> text        (text, verbatim)
    act columns       -> acts        ([text]: the non-empty act fields of the row, in order)

The domain is the file (staging reads it from the source path). Empty lines carry no record
and are skipped. Errors name the file and the line: a header whose first five names differ,
a row with fewer than five fields, a session or message id that is not an integer.
Parsing is a generator over the rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ingest.sources import RawTable, UpstreamFormatError, decode_utf8

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

# The fixed leading columns of every file, as upstream names them, and their raw names.
MESSAGE_COLUMNS = {
    "session.ID": "session_id",
    "Message.ID": "message_id",
    "Message.Timestamp": "timestamp",
    "Message.From": "sender",
    "Message.Text": "text",
}
HEADER_PREFIX = list(MESSAGE_COLUMNS)
INTEGER_FIELDS = ("session_id", "message_id")

SCHEMA = pa.schema(
    [
        pa.field("session_id", pa.int64()),
        pa.field("message_id", pa.int64()),
        pa.field("timestamp", pa.string()),
        pa.field("sender", pa.string()),
        pa.field("text", pa.string()),
        pa.field("acts", pa.list_(pa.string())),
    ]
)


def act_columns(header: list[str], location: str) -> list[str]:
    """The names of the header's act columns (possibly empty); the fixed columns are checked."""
    if header[: len(HEADER_PREFIX)] != HEADER_PREFIX:
        raise UpstreamFormatError(
            f"{location}: header starts {header[: len(HEADER_PREFIX)]}, expected {HEADER_PREFIX}"
        )
    return header[len(HEADER_PREFIX) :]


def message_record(row: list[str], where: str) -> dict[str, Any]:
    """One data row as its raw record (field names per MESSAGE_COLUMNS, acts non-empty)."""
    if len(row) < len(HEADER_PREFIX):
        raise UpstreamFormatError(
            f"{where}: {len(row)} fields, expected at least {len(HEADER_PREFIX)}"
        )
    record: dict[str, Any] = dict(zip(MESSAGE_COLUMNS.values(), row, strict=False))
    for name in INTEGER_FIELDS:
        try:
            record[name] = int(record[name])
        except ValueError as error:
            raise UpstreamFormatError(
                f"{where}: {name} {record[name]!r} is not an integer"
            ) from error
    record["acts"] = [act for act in row[len(HEADER_PREFIX) :] if act != ""]
    return record


def parse(content: bytes, location: str) -> Iterator[dict[str, Any]]:
    """The messages of one MSR-E2E TSV file, one record per row, as a generator."""
    reader = csv.reader(io.StringIO(decode_utf8(content, location), newline=""), delimiter="\t")
    try:
        header = next(reader, None)
        if header is None:
            raise UpstreamFormatError(f"{location}: empty file, expected a header row")
        act_columns(header, f"{location} line 1")
        for row in reader:
            if row:
                yield message_record(row, f"{location} line {reader.line_num}")
    except csv.Error as error:
        raise UpstreamFormatError(f"{location} line {reader.line_num}: {error}") from error


TABLES = {"messages": RawTable(SCHEMA, parse)}
