"""Schema-Guided Dialogue, DSTC8 (google-research-datasets/dstc8-schema-guided-dialogue).

`{train,dev,test}/dialogues_NNN.json`: a JSON array of dialogues, kept as upstream has
them. USER frames carry `state`; SYSTEM frames that query the API carry `service_call`
and `service_results`. Objects keyed by slot name (`state.slot_values`,
`service_call.parameters`, each `service_results` item) are maps. Every field has one
JSON type upstream, so nothing is kept as JSON text.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import JsonArray, RawTable
from ingest.sources.schema_guided import dialogue_schema, load_dialogues

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SLOT_SPAN = pa.struct(
    [
        pa.field("slot", pa.string()),
        pa.field("start", pa.int64()),
        pa.field("exclusive_end", pa.int64()),
    ]
)

SLOT_MAP = pa.map_(pa.string(), pa.string())

SCHEMA = dialogue_schema(
    SLOT_SPAN,
    more_frame_fields=(
        pa.field(
            "service_call",
            pa.struct([pa.field("method", pa.string()), pa.field("parameters", SLOT_MAP)]),
        ),
        pa.field("service_results", pa.list_(SLOT_MAP)),
    ),
)


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogues of one SGD `dialogues_NNN.json`, as upstream has them."""
    return load_dialogues(content, location)


TABLES = {"dialogues": RawTable(SCHEMA, parse, JsonArray(), required=("dialogue_id",))}
