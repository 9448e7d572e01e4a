"""Taskmaster-3 / TicketTalk (google-research-datasets/Taskmaster `TM-3-2020/`).

`data/data_NN.json`: JSON arrays of movie-ticketing self-dialogs `{conversation_id, vertical,
scenario, instructions, utterances}`; speakers user / assistant (the assistant often speaks
twice in a row: "let me check", then the answer). An utterance may carry `segments` and
`apis`, the API calls made during it: `{name, index, args?, response?}` (README; the data
files are not in the mirror). `args` and `response` are keyed by data (argument and response
names), so they are maps; the JSON types of their values are not verified on the real files
(the split TSVs show responses with several values under one name), so every value is kept
as its JSON text (`"Mulan"` becomes `"\\"Mulan\\""`, a list `["a", "b"]` its JSON text).

`splits/{train,dev,test}/*.tsv` (table `split_rows`): one row per target turn, tab-separated
and CSV-quoted (`"` doubled), no header: serialised context, target, conversation_id. The
files of one split are pieces of one file cut at arbitrary bytes (README: `cat train-*.tsv >
train.tsv`): the ingest concatenates them and gives each piece the rows that start in it,
a row straddling two pieces whole (ingest.chunks).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.raw_store import to_json_text
from ingest.sources import JsonArray, RawTable, listed_objects, replace_in_listed_objects
from ingest.sources.taskmaster_format import (
    SCENARIO_DIALOGUE_FIELDS,
    SEGMENT,
    SPLIT_ROW_CHUNKS,
    SPLIT_ROWS_SCHEMA,
    dialogue_schema,
    load_dialogues,
    parse_split_rows,
)

PARSER_VERSION = 3  # 2: raw tables gained `_extra`; 3: split pieces concatenated, then cut

JSON_TEXT_MAP = pa.map_(pa.string(), pa.string())  # values: JSON text of the upstream value

API = pa.struct(
    [
        pa.field("name", pa.string()),
        pa.field("index", pa.int64()),
        pa.field("args", JSON_TEXT_MAP),
        pa.field("response", JSON_TEXT_MAP),
    ]
)

SCHEMA = dialogue_schema(
    dialogue_fields=SCENARIO_DIALOGUE_FIELDS,
    utterance_fields=[
        pa.field("segments", pa.list_(SEGMENT)),
        pa.field("apis", pa.list_(API)),
    ],
)


def _values_as_json_text(mapping: Any) -> Any:
    """An object's values as JSON text; anything else is left for the schema check to reject."""
    if not isinstance(mapping, dict):
        return mapping
    return {key: to_json_text(value) for key, value in mapping.items()}


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogs of one TM-3 `data_NN.json`, each `args`/`response` value as JSON text."""
    dialogues = load_dialogues(content, location)
    for dialogue in dialogues:
        replace_in_listed_objects(
            listed_objects(dialogue, "utterances"),
            "apis",
            ("args", "response"),
            _values_as_json_text,
        )
    return dialogues


TABLES = {
    "dialogues": RawTable(
        SCHEMA,
        parse,
        JsonArray(
            json_text_fields=(("utterances", "apis", "args"), ("utterances", "apis", "response"))
        ),
        required=("conversation_id",),
    ),
    "split_rows": RawTable(SPLIT_ROWS_SCHEMA, parse_split_rows, chunks=SPLIT_ROW_CHUNKS),
}
