"""Taskmaster-1 (google-research-datasets/Taskmaster `TM-1-2019/`).

`self-dialogs.json` (written) and `woz-dialogs.json` (spoken, Wizard of Oz): JSON arrays of
dialogs `{conversation_id, instruction_id, utterances}`, speakers USER / ASSISTANT, same-speaker
utterances in a row kept as upstream has them; `segments` is absent on many utterances. The
domain is the prefix of `instruction_id` ("restaurant-table-2" -> restaurant). Key spelling is
snake_case as in the files (the README writes camelCase). `train-dev-test/{train,dev,test}.csv`
(table `split_ids`) list the self-dialogs of each split, one `dlg-…,` per line, no header.
The dialog files are not in the mirror: the schema follows `sample.json`, the README and the
HF loader, where every field has one JSON type, so nothing is kept as JSON text; a file that
differs fails the ingest with RawRecordError instead of being read wrongly.
"""

from __future__ import annotations

from typing import Any

from ingest.sources import JsonArray, RawTable
from ingest.sources.taskmaster_format import (
    SPLIT_IDS_SCHEMA,
    TM1_DIALOGUE_SCHEMA,
    load_dialogues,
    parse_split_ids,
)

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SCHEMA = TM1_DIALOGUE_SCHEMA


def parse(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogs of `self-dialogs.json` or `woz-dialogs.json`, as upstream has them."""
    return load_dialogues(content, location)


TABLES = {
    "dialogues": RawTable(SCHEMA, parse, JsonArray(), required=("conversation_id",)),
    "split_ids": RawTable(SPLIT_IDS_SCHEMA, parse_split_ids),
}
