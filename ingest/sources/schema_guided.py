"""Pieces shared by the sources in the Schema-Guided Dialogue (SGD) format: sgd, multiwoz22.

A file is a JSON array of dialogues `{dialogue_id, services, turns}`; each turn has a
speaker, an utterance and `frames`, one per service the turn concerns. Objects keyed by
data (slot names), such as `state.slot_values`, are Arrow maps, not structs.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import listed_objects, load_json_array_of_objects

STRINGS = pa.list_(pa.string())

ACTION = pa.struct(
    [
        pa.field("act", pa.string()),
        pa.field("slot", pa.string()),
        pa.field("values", STRINGS),
        pa.field("canonical_values", STRINGS),
    ]
)

STATE = pa.struct(
    [
        pa.field("active_intent", pa.string()),
        pa.field("requested_slots", STRINGS),
        pa.field("slot_values", pa.map_(pa.string(), STRINGS)),
    ]
)


def dialogue_schema(
    slot: pa.DataType,
    leading_turn_fields: tuple[pa.Field, ...] = (),
    more_frame_fields: tuple[pa.Field, ...] = (),
) -> pa.Schema:
    """The schema of one dialogue record: each turn (leading_turn_fields, speaker, utterance,
    frames), each frame (service, actions, slots of the slot type, state, more_frame_fields)."""
    frame = pa.struct(
        [
            pa.field("service", pa.string()),
            pa.field("actions", pa.list_(ACTION)),
            pa.field("slots", pa.list_(slot)),
            pa.field("state", STATE),
            *more_frame_fields,
        ]
    )
    turn = pa.struct(
        [
            *leading_turn_fields,
            pa.field("speaker", pa.string()),
            pa.field("utterance", pa.string()),
            pa.field("frames", pa.list_(frame)),
        ]
    )
    return pa.schema(
        [
            pa.field("dialogue_id", pa.string()),
            pa.field("services", STRINGS),
            pa.field("turns", pa.list_(turn)),
        ]
    )


def load_dialogues(content: bytes, location: str) -> list[dict[str, Any]]:
    """The dialogue records of one SGD-format file (a JSON array of objects)."""
    return load_json_array_of_objects(content, location)


def frames_of(dialogue: dict[str, Any]) -> list[dict[str, Any]]:
    """Every frame object of a dialogue, in order (what is not an object is skipped)."""
    return [
        frame
        for turn in listed_objects(dialogue, "turns")
        for frame in listed_objects(turn, "frames")
    ]
