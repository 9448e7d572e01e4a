"""The SGD source module on the hand-made fixtures (and on one real mirror file)."""

from __future__ import annotations

import pytest

from ingest import raw_store
from ingest.fetch import read_from_mirror
from ingest.registry import REGISTRY
from ingest.sources import sgd
from tests.source_support import raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra, require_mirror

FIXTURE_SGD = FIXTURE_UPSTREAM / "sgd"


def parse_fixture(split: str) -> list[dict]:
    path = FIXTURE_SGD / split / "dialogues_001.json"
    return sgd.parse(path.read_bytes(), str(path))


def to_table(records: list[dict], split: str):
    return raw_table(records, sgd.SCHEMA, f"{split}/dialogues_001.json", split)


def fixture_rows(split: str) -> list[dict]:
    return to_table(parse_fixture(split), split).to_pylist()


@pytest.mark.parametrize("split, count", [("train", 2), ("dev", 1), ("test", 1)])
def test_every_fixture_file_parses(split: str, count: int):
    table = to_table(parse_fixture(split), split)
    assert table.num_rows == count
    assert table.schema == raw_store.full_schema(sgd.SCHEMA)


def test_train_fixture_keeps_nesting_and_provenance():
    rows = fixture_rows("train")
    assert [row["dialogue_id"] for row in rows] == ["1_00000", "1_00001"]
    assert rows[1]["services"] == ["Buses_1", "RentalCars_1"]
    assert rows[1]["_record_index"] == 1
    assert rows[1]["_upstream_split"] == "train"
    first_turn = rows[0]["turns"][0]
    assert first_turn["speaker"] == "USER"
    frame = first_turn["frames"][0]
    assert frame["service"] == "Restaurants_1"
    assert frame["actions"][1] == {
        "act": "INFORM_INTENT",
        "slot": "intent",
        "values": ["FindRestaurants"],
        "canonical_values": ["FindRestaurants"],
    }
    assert frame["slots"] == [{"slot": "city", "start": 46, "exclusive_end": 54}]
    assert first_turn["utterance"][46:54] == "San Jose"
    assert frame["state"]["active_intent"] == "FindRestaurants"
    assert dict(frame["state"]["slot_values"]) == {"city": ["San Jose"]}


def test_system_frame_has_service_call_and_results_but_no_state():
    system_frame = fixture_rows("train")[0]["turns"][3]["frames"][0]
    assert system_frame["state"] is None
    assert system_frame["service_call"]["method"] == "FindRestaurants"
    assert dict(system_frame["service_call"]["parameters"]) == {
        "city": "San Jose",
        "cuisine": "Italian",
    }
    results = [dict(result) for result in system_frame["service_results"]]
    assert [result["restaurant_name"] for result in results] == ["Il Fornaio", "Original Joe's"]
    assert results[0]["street_address"] == "302 South Market Street"


def test_service_change_gives_two_user_frames_and_none_intent_is_kept():
    rows = fixture_rows("train")
    change = rows[1]["turns"][4]["frames"]
    assert [frame["service"] for frame in change] == ["RentalCars_1", "Buses_1"]
    assert [frame["state"]["active_intent"] for frame in change] == [
        "GetCarsAvailable",
        "BuyBusTicket",
    ]
    assert rows[0]["turns"][4]["frames"][0]["state"]["active_intent"] == "NONE"


def test_ids_repeat_across_splits_and_empty_utterance_is_kept():
    assert fixture_rows("train")[0]["dialogue_id"] == fixture_rows("dev")[0]["dialogue_id"]
    test_turns = fixture_rows("test")[0]["turns"]
    assert len(test_turns) == 4
    assert test_turns[3]["speaker"] == "SYSTEM"
    assert test_turns[3]["utterance"] == ""


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_fixture_slot_spans_point_at_their_values(split: str):
    for dialogue in parse_fixture(split):
        for turn in dialogue["turns"]:
            for frame in turn["frames"]:
                values = {value for action in frame["actions"] for value in action["values"]}
                for slot in frame["slots"]:
                    assert turn["utterance"][slot["start"] : slot["exclusive_end"]] in values


def test_unexpected_frame_key_is_rejected():
    records = parse_fixture("train")
    records[0]["turns"][1]["frames"][0]["dialogue_acts"] = []
    kept_in_extra(to_table(records, "train"), "dialogue_acts")


def test_slot_values_must_be_an_object():
    records = parse_fixture("dev")
    records[0]["turns"][0]["frames"][0]["state"]["slot_values"] = [["where_to", "Paris"]]
    kept_in_extra(to_table(records, "dev"), "slot_values")


@pytest.mark.mirror
def test_real_train_file_parses():
    mirror = require_mirror()
    upstream_file = next(f for f in REGISTRY["sgd"].files if f.path == "train/dialogues_001.json")
    fetched = read_from_mirror(upstream_file, mirror)
    table = to_table(sgd.parse(fetched.content, fetched.location), "train")
    rows = table.to_pylist()
    assert table.num_rows == 128
    assert rows[0]["dialogue_id"] == "1_00000"
    assert rows[-1]["dialogue_id"] == "1_00127"
    assert sum(len(row["turns"]) for row in rows) == 2466
    assert {service for row in rows for service in row["services"]} == {"Restaurants_1"}
    frames = [frame for row in rows for turn in row["turns"] for frame in turn["frames"]]
    assert sum(frame["service_call"] is not None for frame in frames) == 321
