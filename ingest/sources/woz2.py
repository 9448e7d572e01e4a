"""WOZ 2.0 (nmrksic/neural-belief-tracker `data/woz/woz_{train,validate,test}_{en,de,it}.json`).

Each file is a JSON array of dialogues; each `dialogue` turn holds the system utterance
that precedes the user's (`system_transcript`, an empty placeholder at turn 0) and the
user's `transcript`. In the de and it files the user side and the labels are translated,
`system_transcript` stays English. Two turn fields vary in JSON type upstream and are kept
as their JSON text: `system_acts` mixes slot-name strings and `[slot, value]` lists, and
each `asr` pair is `[hypothesis, score]`, a string and a float.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.raw_store import to_json_text
from ingest.sources import (
    JsonArray,
    RawTable,
    load_json_array_of_objects,
    replace_in_listed_objects,
)
from ingest.sources.cambridge_acts import ACTS, SLOT_PAIRS

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

_MIXED_TYPE_TURN_FIELDS = ("asr", "system_acts")

SCHEMA = pa.schema(
    [
        pa.field("dialogue_idx", pa.int64()),
        pa.field(
            "dialogue",
            pa.list_(
                pa.struct(
                    [
                        pa.field("turn_idx", pa.int64()),
                        pa.field("system_transcript", pa.string()),
                        pa.field("transcript", pa.string()),
                        pa.field("asr", pa.string()),  # JSON text of [[hypothesis, score]]
                        pa.field("system_acts", pa.string()),  # JSON text of [slot | [slot, value]]
                        pa.field("turn_label", SLOT_PAIRS),
                        pa.field("belief_state", ACTS),
                    ]
                )
            ),
        ),
    ]
)


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogues of one WOZ 2.0 file, `asr` and `system_acts` of each turn as JSON text."""
    dialogues = load_json_array_of_objects(content, location)
    replace_in_listed_objects(dialogues, "dialogue", _MIXED_TYPE_TURN_FIELDS, to_json_text)
    return dialogues


TABLES = {
    "dialogues": RawTable(
        SCHEMA,
        parse,
        JsonArray(json_text_fields=tuple(("dialogue", name) for name in _MIXED_TYPE_TURN_FIELDS)),
        required=("dialogue_idx",),
    )
}
