"""Taskmaster-4 (google-research-datasets/Taskmaster `TM-4-2024/data/data_NN.json`).

JSON arrays of coffee-ordering dialogs `{conversation_id, vertical, scenario, instructions,
utterances}` (verified on all 8 files: 3,710 dialogs, 13,915 utterances; `instructions` is
null in 575). Every utterance has `segments` and `annotations`, both usually empty:

- segments (82 in all) carry their offsets as strings ("29") and an `annotator_id`; both are
  kept as upstream writes them, strings;
- utterance-level `annotations` `{name, value, context}` encode API traffic: `api_call` /
  `api_response` values are API names, `request` / `response` values are JSON documents
  encoded as strings, kept as those strings; `context` (`api_call_0`, ...) pairs them.

No split upstream. The reward files (`TM-4-2024/reward/`) are not registered.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import JsonArray, RawTable
from ingest.sources.taskmaster_format import (
    SCENARIO_DIALOGUE_FIELDS,
    dialogue_schema,
    load_dialogues,
    segment_type,
)

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SEGMENT = segment_type(pa.string(), (pa.field("annotator_id", pa.string()),))

UTTERANCE_ANNOTATION = pa.struct(
    [
        pa.field("name", pa.string()),
        pa.field("value", pa.string()),
        pa.field("context", pa.string()),
    ]
)

SCHEMA = dialogue_schema(
    dialogue_fields=SCENARIO_DIALOGUE_FIELDS,
    utterance_fields=[
        pa.field("segments", pa.list_(SEGMENT)),
        pa.field("annotations", pa.list_(UTTERANCE_ANNOTATION)),
    ],
)


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogs of one TM-4 `data_NN.json`, as upstream has them."""
    return load_dialogues(content, location)


TABLES = {"dialogues": RawTable(SCHEMA, parse, JsonArray(), required=("conversation_id",))}
