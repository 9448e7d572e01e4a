"""Maluuba Frames (`frames.json`, downloaded by hand from the Microsoft project page).

The file is one JSON array of dialogues: `id`, `user_id`, `wizard_id`, `labels`
({userSurveyRating, wizardSurveyTaskSuccessful}) and `turns`, each turn with `author`
(`user` or `wizard`; strict alternation is not assumed), `text`, `timestamp`, `labels` and,
on wizard turns, `db`. These well-known scalar fields are kept typed: the rating is a float
(or null), task success a bool, the timestamp a float (milliseconds upstream).

A turn's `labels` ({active_frame, acts, acts_without_refs, frames}) and its `db`
({search, result}) are kept as their JSON text (raw_store.to_json_text), exactly as upstream
has them, not as Arrow structs: their inner structures are irregular (an act argument's
`val` is a string, a number, a bool or a list of frame references; a frame's `info` maps
slots to lists of {val, negated} of any type) and were documented from third-party
descriptions, not checked on the real file. An absent `db` stays null. Every other key is
kept as it is; an unexpected key, or a value of another type, is kept verbatim in the raw
table's `_extra` column and reported as schema drift (raw_store), never lost.

The whole array is parsed at once (json has no streaming reader); the records are then
produced by a generator, converting one dialogue at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ingest.raw_store import to_json_text
from ingest.sources import RawTable, decode_utf8, expect_list_of_objects, load_json

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

# Turn fields whose inner structure varies: kept as JSON text.
JSON_TEXT_TURN_FIELDS = ("labels", "db")

TURN_TYPE = pa.struct(
    [
        pa.field("author", pa.string()),
        pa.field("text", pa.string()),
        pa.field("timestamp", pa.float64()),
        pa.field("labels", pa.string()),  # JSON text
        pa.field("db", pa.string()),  # JSON text
    ]
)

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("wizard_id", pa.string()),
        pa.field(
            "labels",
            pa.struct(
                [
                    pa.field("userSurveyRating", pa.float64()),
                    pa.field("wizardSurveyTaskSuccessful", pa.bool_()),
                ]
            ),
        ),
        pa.field("turns", pa.list_(TURN_TYPE)),
    ]
)


def turn_with_json_text(turn: Any) -> Any:
    """A turn with its `labels` and `db` as JSON text (anything not an object is left as is)."""
    if not isinstance(turn, dict):
        return turn
    return {
        key: to_json_text(value) if key in JSON_TEXT_TURN_FIELDS else value
        for key, value in turn.items()
    }


def dialogue_record(dialogue: dict[str, Any]) -> dict[str, Any]:
    """One upstream dialogue as its raw record: turns converted, everything else as it is."""
    turns = dialogue.get("turns")
    if not isinstance(turns, list):
        return dialogue  # the raw store reports the shape it does not expect
    return {**dialogue, "turns": [turn_with_json_text(turn) for turn in turns]}


def parse(content: bytes, location: str) -> Iterator[dict[str, Any]]:
    """The dialogues of frames.json, as upstream has them, one at a time."""
    dialogues = expect_list_of_objects(
        load_json(decode_utf8(content, location), location), location
    )
    for dialogue in dialogues:
        yield dialogue_record(dialogue)


TABLES = {"dialogues": RawTable(SCHEMA, parse, required=("id",))}
