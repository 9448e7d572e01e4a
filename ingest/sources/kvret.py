"""KVRET / Stanford Multi-Domain (`kvret_{train,dev,test}_public.json`, via s6fikass/Chatbot_KVNN).

Each file is a JSON array of dialogues: `dialogue` lists the turns (`driver` = user,
`assistant` = system; same-speaker turns can follow each other) and `scenario` holds the
task intent and the knowledge base shown to the assistant (`kb.items` is null for many
schedule scenarios). Objects keyed by data, not by schema (an assistant turn's `slots`
and `requested`, each `kb.items` row keyed by column name), are Arrow maps. Every field
has one JSON type upstream (checked on dev and test), so nothing is kept as JSON text.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import (
    JsonArray,
    RawTable,
    load_json_array_of_objects,
)

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SCHEMA = pa.schema(
    [
        pa.field(
            "dialogue",
            pa.list_(
                pa.struct(
                    [
                        pa.field("turn", pa.string()),
                        pa.field(
                            "data",
                            pa.struct(
                                [
                                    pa.field("end_dialogue", pa.bool_()),
                                    pa.field("utterance", pa.string()),
                                    pa.field("slots", pa.map_(pa.string(), pa.string())),
                                    pa.field("requested", pa.map_(pa.string(), pa.bool_())),
                                ]
                            ),
                        ),
                    ]
                )
            ),
        ),
        pa.field(
            "scenario",
            pa.struct(
                [
                    pa.field("uuid", pa.string()),
                    pa.field("task", pa.struct([pa.field("intent", pa.string())])),
                    pa.field(
                        "kb",
                        pa.struct(
                            [
                                pa.field("kb_title", pa.string()),
                                pa.field("column_names", pa.list_(pa.string())),
                                pa.field("items", pa.list_(pa.map_(pa.string(), pa.string()))),
                            ]
                        ),
                    ),
                ]
            ),
        ),
    ]
)


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogues of one KVRET file, as upstream has them."""
    return load_json_array_of_objects(content, location)


TABLES = {"dialogues": RawTable(SCHEMA, parse, JsonArray(), required=("scenario.uuid",))}
