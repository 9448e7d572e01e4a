"""Taskmaster-2 (google-research-datasets/Taskmaster `TM-2-2020/data/<domain>.json`).

One file per domain (flights, food-ordering, hotels, movies, music, restaurant-search,
sports), each a JSON array of spoken two-person dialogs in the TM-1 record shape
`{conversation_id, instruction_id, utterances}`; speakers USER / ASSISTANT, runs of several
ASSISTANT utterances kept as upstream has them; `segments` may be absent. No split upstream.
The files are not in the mirror: the schema follows the README and the HF loader, where every
field has one JSON type, so nothing is kept as JSON text; a file that differs fails the ingest
with RawRecordError instead of being read wrongly.
"""

from __future__ import annotations

from typing import Any

from ingest.sources import JsonArray, RawTable
from ingest.sources.taskmaster_format import TM1_DIALOGUE_SCHEMA, load_dialogues

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SCHEMA = TM1_DIALOGUE_SCHEMA


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogs of one TM-2 domain file, as upstream has them."""
    return load_dialogues(content, location)


TABLES = {"dialogues": RawTable(SCHEMA, parse, JsonArray(), required=("conversation_id",))}
