"""The MultiWOZ 2.2 source module on the hand-made fixtures (the mirror has no MultiWOZ 2.2)."""

from __future__ import annotations

import json

import pytest

from ingest import raw_store
from ingest.sources import multiwoz22
from tests.source_support import raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra

FIXTURE_MULTIWOZ = FIXTURE_UPSTREAM / "multiwoz22" / "data" / "MultiWOZ_2.2"


def parse_fixture(split: str) -> list[dict]:
    path = FIXTURE_MULTIWOZ / split / "dialogues_001.json"
    return multiwoz22.parse(path.read_bytes(), str(path))


def to_table(records: list[dict], split: str):
    return raw_table(
        records, multiwoz22.SCHEMA, f"data/MultiWOZ_2.2/{split}/dialogues_001.json", split
    )


def fixture_rows(split: str) -> list[dict]:
    return to_table(parse_fixture(split), split).to_pylist()


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_every_fixture_file_parses(split: str):
    table = to_table(parse_fixture(split), split)
    assert table.num_rows == 1
    assert table.schema == raw_store.full_schema(multiwoz22.SCHEMA)


def test_train_fixture_keeps_ids_turn_ids_and_state():
    (dialogue,) = fixture_rows("train")
    assert dialogue["dialogue_id"] == "PMUL0117.json"
    assert dialogue["services"] == ["restaurant", "taxi"]
    assert [turn["turn_id"] for turn in dialogue["turns"]] == ["0", "1", "2", "3", "4", "5"]
    assert [turn["speaker"] for turn in dialogue["turns"][:2]] == ["USER", "SYSTEM"]
    user_frames = dialogue["turns"][2]["frames"]
    assert [frame["service"] for frame in user_frames] == ["restaurant", "taxi", "hotel"]
    assert [frame["state"]["active_intent"] for frame in user_frames] == [
        "book_restaurant",
        "find_taxi",
        "NONE",
    ]
    slot_values = dict(user_frames[0]["state"]["slot_values"])
    assert slot_values["restaurant-name"] == ["dojo noodle bar"]
    assert slot_values["restaurant-bookpeople"] == ["2"]
    assert all(frame["actions"] == [] for turn in dialogue["turns"] for frame in turn["frames"])


def test_system_frames_have_no_state():
    turns = fixture_rows("train")[0]["turns"] + fixture_rows("dev")[0]["turns"]
    system_frames = [f for turn in turns if turn["speaker"] == "SYSTEM" for f in turn["frames"]]
    assert system_frames
    assert all(frame["state"] is None for frame in system_frames)
    assert fixture_rows("dev")[0]["turns"][3]["frames"] == []


def test_span_and_copy_slot_values_are_json_text():
    taxi_frame = fixture_rows("train")[0]["turns"][4]["frames"][1]
    span, copy, _ = taxi_frame["slots"]
    assert span == {
        "slot": "taxi-departure",
        "start": 5,
        "exclusive_end": 18,
        "copy_from": None,
        "value": '"Clare College"',
    }
    assert copy == {
        "slot": "taxi-destination",
        "start": None,
        "exclusive_end": None,
        "copy_from": "restaurant-name",
        "value": '["dojo noodle bar"]',
    }
    assert json.loads(copy["value"]) == ["dojo noodle bar"]


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_fixture_span_slots_point_at_their_values(split: str):
    for dialogue in parse_fixture(split):
        for turn in dialogue["turns"]:
            for frame in turn["frames"]:
                for slot in frame["slots"]:
                    if "copy_from" in slot:
                        assert isinstance(json.loads(slot["value"]), list)
                        continue
                    text = turn["utterance"][slot["start"] : slot["exclusive_end"]]
                    assert json.dumps(text) == slot["value"]


def test_all_none_user_turn_is_kept():
    frames = fixture_rows("dev")[0]["turns"][2]["frames"]
    assert [frame["state"]["active_intent"] for frame in frames] == ["NONE", "NONE"]


def test_unexpected_turn_key_is_rejected():
    records = parse_fixture("test")
    records[0]["turns"][1]["dialogue_acts"] = {}
    kept_in_extra(to_table(records, "test"), "dialogue_acts")


def test_sgd_only_frame_key_is_rejected():
    records = parse_fixture("test")
    records[0]["turns"][1]["frames"][0]["service_call"] = {"method": "find_attraction"}
    kept_in_extra(to_table(records, "test"), "service_call")
