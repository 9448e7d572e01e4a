"""MultiWOZ 2.2 (budzianowski/multiwoz `data/MultiWOZ_2.2/{train,dev,test}/dialogues_NNN.json`).

The SGD format (see `sgd`), with a string `turn_id` on every turn, `actions` present but
empty, no `service_call`/`service_results`, and two kinds of slot: a SPAN
`{slot, start, exclusive_end, value: str}` and a COPY `{slot, copy_from, value: [str]}`.
Because `value` is a string in one and a list in the other, every slot's `value` is kept
as its JSON text (`"centre"`, `["pizza hut city centre"]`). `dialogue_id` keeps its
".json" suffix.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.raw_store import to_json_text
from ingest.sources import JsonArray, RawTable, replace_in_listed_objects
from ingest.sources.schema_guided import dialogue_schema, frames_of, load_dialogues

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SLOT = pa.struct(
    [
        pa.field("slot", pa.string()),
        pa.field("start", pa.int64()),
        pa.field("exclusive_end", pa.int64()),
        pa.field("copy_from", pa.string()),
        pa.field("value", pa.string()),  # JSON text: a string (SPAN) or a list (COPY)
    ]
)

SCHEMA = dialogue_schema(SLOT, leading_turn_fields=(pa.field("turn_id", pa.string()),))


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogues of one MultiWOZ 2.2 `dialogues_NNN.json`, each slot `value` as JSON text."""
    dialogues = load_dialogues(content, location)
    for dialogue in dialogues:
        replace_in_listed_objects(frames_of(dialogue), "slots", ("value",), to_json_text)
    return dialogues


TABLES = {
    "dialogues": RawTable(
        SCHEMA,
        parse,
        JsonArray(json_text_fields=(("turns", "frames", "slots", "value"),)),
        required=("dialogue_id",),
    )
}
