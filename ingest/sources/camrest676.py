"""CamRest676 (shawnwun/NNDIAL `data/CamRest676.json`).

The file starts with `#` banner lines, then a JSON array of dialogues; each `dial` turn
pairs a user utterance with the system reply that follows it. `sys.DA` mixes strings and
a nested list upstream, so it is kept as its JSON text.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.raw_store import to_json_text
from ingest.sources import RawTable, decode_utf8, expect_list_of_objects, load_json
from ingest.sources.cambridge_acts import ACTS, SLOT_PAIRS

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SCHEMA = pa.schema(
    [
        pa.field("dialogue_id", pa.int64()),
        pa.field("finished", pa.bool_()),
        pa.field(
            "goal",
            pa.struct(
                [
                    pa.field("constraints", SLOT_PAIRS),
                    pa.field("request-slots", pa.list_(pa.string())),
                    pa.field("text", pa.string()),
                ]
            ),
        ),
        pa.field(
            "dial",
            pa.list_(
                pa.struct(
                    [
                        pa.field("turn", pa.int64()),
                        pa.field(
                            "usr",
                            pa.struct(
                                [
                                    pa.field("transcript", pa.string()),
                                    pa.field("slu", ACTS),
                                ]
                            ),
                        ),
                        pa.field(
                            "sys",
                            pa.struct([pa.field("sent", pa.string()), pa.field("DA", pa.string())]),
                        ),
                    ]
                )
            ),
        ),
    ]
)


def without_banner(text: str) -> str:
    """The text after its banner: the leading lines that start with '#'. Lines end at "\n"
    only (str.splitlines would also end one inside a JSON string, at U+2028, U+0085, ...),
    and the JSON after the banner is kept exactly as written."""
    start = 0
    while text.startswith("#", start):
        end_of_line = text.find("\n", start)
        if end_of_line < 0:
            return ""
        start = end_of_line + 1
    return text[start:]


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogues of CamRest676.json, banner lines dropped, `sys.DA` as JSON text."""
    body = without_banner(decode_utf8(content, location))
    dialogues = expect_list_of_objects(load_json(body, location), location)
    for dialogue in dialogues:
        for turn in dialogue.get("dial") or []:
            system = turn.get("sys")
            if isinstance(system, dict) and "DA" in system:
                system["DA"] = to_json_text(system["DA"])
    return dialogues


TABLES = {"dialogues": RawTable(SCHEMA, parse, required=("dialogue_id",))}
