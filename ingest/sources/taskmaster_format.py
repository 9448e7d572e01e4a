"""Pieces shared by the Taskmaster sources (google-research-datasets/Taskmaster): taskmaster1..4.

Every dialog file is a JSON array of dialogs `{conversation_id, ..., utterances}`; each
utterance has `index`, `speaker` and `text`, and may carry `segments`, annotated text spans
`{start_index, end_index, text, annotations: [{name}]}`. The releases differ in the dialog
fields beside the id and in what an utterance carries (TM-3 `apis`, TM-4 utterance-level
`annotations` and string offsets), so each source declares its own fields, but for what
releases share: TM-2 has TM-1's record shape (`TM1_DIALOGUE_SCHEMA`), TM-3 and TM-4 the same
dialog fields (`SCENARIO_DIALOGUE_FIELDS`).

The split files are plain text: TM-1's id lists (`dlg-…,` per line, no header) and TM-3's
tab-separated, CSV-quoted rows (context, target, conversation_id; no header). TM-3's are
pieces of one file per split, cut at arbitrary bytes (its README: `cat train-*.tsv >
train.tsv`), which the ingest puts together before cutting them again at row starts
(`SPLIT_ROW_CHUNKS`, see ingest.chunks).
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

from ingest.sources import (
    Chunks,
    UpstreamFormatError,
    decode_utf8,
    load_json_array_of_objects,
)

# Upstream ids are "dlg-<uuid>"; a split-file line that does not hold one (a header, a stray
# line) is a format error, not an id.
CONVERSATION_ID_PREFIX = "dlg-"

ANNOTATION = pa.struct([pa.field("name", pa.string())])


def segment_type(offset_type: pa.DataType, extra_fields: tuple[pa.Field, ...] = ()) -> pa.DataType:
    """An annotated span of an utterance, with offsets of the given type and extra fields."""
    return pa.struct(
        [
            pa.field("start_index", offset_type),
            pa.field("end_index", offset_type),
            pa.field("text", pa.string()),
            *extra_fields,
            pa.field("annotations", pa.list_(ANNOTATION)),
        ]
    )


# TM-1, TM-2 and TM-3 segments: integer character offsets.
SEGMENT = segment_type(pa.int64())


def dialogue_schema(dialogue_fields: list[pa.Field], utterance_fields: list[pa.Field]) -> pa.Schema:
    """A dialog record: conversation_id, the release's own fields, then its utterances."""
    utterance = pa.struct(
        [
            pa.field("index", pa.int64()),
            pa.field("speaker", pa.string()),
            pa.field("text", pa.string()),
            *utterance_fields,
        ]
    )
    return pa.schema(
        [
            pa.field("conversation_id", pa.string()),
            *dialogue_fields,
            pa.field("utterances", pa.list_(utterance)),
        ]
    )


# TM-1 and TM-2 dialogs: `{conversation_id, instruction_id, utterances}`, utterances that may
# carry `segments`.
TM1_DIALOGUE_SCHEMA = dialogue_schema(
    dialogue_fields=[pa.field("instruction_id", pa.string())],
    utterance_fields=[pa.field("segments", pa.list_(SEGMENT))],
)

# TM-3 and TM-4 dialogs: these fields between the id and the utterances.
SCENARIO_DIALOGUE_FIELDS = [
    pa.field("vertical", pa.string()),
    pa.field("scenario", pa.string()),
    pa.field("instructions", pa.string()),
]


def load_dialogues(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialog records of one Taskmaster data file (a JSON array of objects)."""
    return load_json_array_of_objects(content, location)


def _rows(text: str, location: str, delimiter: str) -> list[list[str]]:
    """All rows of a delimited text file; a malformed one is a format error naming the file."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        message = f"{location}: not readable as delimited text ({error})"
        raise UpstreamFormatError(message) from error


def _check_conversation_id(value: str, location: str, row_number: int) -> None:
    if not value.startswith(CONVERSATION_ID_PREFIX):
        raise UpstreamFormatError(
            f"{location}: row {row_number}: {value[:60]!r} is not a conversation id "
            f"({CONVERSATION_ID_PREFIX}…)"
        )


SPLIT_IDS_SCHEMA = pa.schema([pa.field("conversation_id", pa.string())])


def parse_split_ids(content: bytes, location: str) -> list[dict[str, Any]]:
    """TM-1 `train-dev-test/*.csv`: one `<conversation_id>,` per line, no header."""
    records = []
    for row_number, row in enumerate(_rows(decode_utf8(content, location), location, ","), 1):
        if len(row) != 2 or row[1] != "":
            raise UpstreamFormatError(
                f"{location}: row {row_number}: expected `<conversation_id>,`, found {row!r}"
            )
        _check_conversation_id(row[0], location, row_number)
        records.append({"conversation_id": row[0]})
    return records


SPLIT_ROW_COLUMNS = ("context", "target", "conversation_id")

SPLIT_ROWS_SCHEMA = pa.schema([pa.field(name, pa.string()) for name in SPLIT_ROW_COLUMNS])


def parse_split_rows(content: bytes, location: str) -> list[dict[str, Any]]:
    """TM-3 `splits/*/*.tsv`: tab-separated, CSV-quoted context, target and id, no header."""
    records = []
    for row_number, row in enumerate(_rows(decode_utf8(content, location), location, "\t"), 1):
        if len(row) != len(SPLIT_ROW_COLUMNS):
            raise UpstreamFormatError(
                f"{location}: row {row_number} has {len(row)} fields, "
                f"expected {len(SPLIT_ROW_COLUMNS)} (context, target, conversation_id)"
            )
        _check_conversation_id(row[2], location, row_number)
        records.append(dict(zip(SPLIT_ROW_COLUMNS, row, strict=True)))
    return records


def split_row_starts(content: bytes, location: str) -> list[int]:
    """The byte offsets at which the rows of a TM-3 split TSV start, read as
    parse_split_rows reads them (a quoted field may hold a line break)."""
    text = decode_utf8(content, location)
    offset = len(content) - len(text.encode("utf-8"))  # a leading BOM, dropped by decoding
    line_starts: list[int] = []

    def lines():
        nonlocal offset
        for line in io.StringIO(text, newline=""):
            line_starts.append(offset)
            offset += len(line.encode("utf-8"))
            yield line

    reader = csv.reader(lines(), delimiter="\t")
    starts = []
    consumed = 0  # lines read before the row being read
    try:
        for _ in reader:
            starts.append(line_starts[consumed])
            consumed = reader.line_num
    except csv.Error as error:
        message = f"{location}: not readable as delimited text ({error})"
        raise UpstreamFormatError(message) from error
    return starts


def split_folder(path: str) -> str:
    """The one file a TM-3 split piece belongs to: its folder (`TM-3-2020/splits/train`)."""
    return str(PurePosixPath(path).parent)


# TM-3's split pieces: one file per split folder, concatenated in path order.
SPLIT_ROW_CHUNKS = Chunks(group=split_folder, record_starts=split_row_starts)
