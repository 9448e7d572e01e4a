"""The KVRET source module on the hand-made fixtures (and on the real dev file)."""

from __future__ import annotations

import pytest

from ingest.sources import kvret
from tests.source_support import raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra, require_mirror

FIXTURE_KVRET = FIXTURE_UPSTREAM / "kvret" / "data"


def parse_fixture(relative: str) -> list[dict]:
    path = FIXTURE_KVRET / relative
    return kvret.parse(path.read_bytes(), str(path))


def to_table(records: list[dict], source_path: str, split: str):
    return raw_table(records, kvret.SCHEMA, source_path, split)


def test_train_fixture_keeps_null_kb_items_and_an_empty_dialogue():
    table = to_table(
        parse_fixture("bckp/kvret_train_public.json"), "data/bckp/kvret_train_public.json", "train"
    )
    rows = table.to_pylist()
    assert table.num_rows == 3
    assert rows[0]["scenario"]["task"] == {"intent": "schedule"}
    assert rows[0]["scenario"]["kb"]["items"] is None
    assert rows[0]["scenario"]["kb"]["kb_title"] == "calendar"
    assert rows[2]["dialogue"] == []
    assert rows[2]["scenario"]["uuid"] == "9c3a1e77-2b4d-4f6a-b8c0-1d2e3f4a5b32"


def test_data_keyed_objects_are_maps():
    rows = to_table(
        parse_fixture("bckp/kvret_train_public.json"), "data/bckp/kvret_train_public.json", "train"
    ).to_pylist()
    assistant = rows[1]["dialogue"][1]
    assert assistant["turn"] == "assistant"
    assert dict(assistant["data"]["slots"]) == {
        "weather_attribute": "windy",
        "date": "Saturday",
        "location": "Palo Alto",
    }
    assert dict(assistant["data"]["requested"]) == {
        "weather_attribute": True,
        "date": True,
        "location": True,
    }
    driver = rows[1]["dialogue"][0]
    assert driver["data"]["slots"] is None and driver["data"]["requested"] is None
    assert rows[1]["dialogue"][3]["data"]["slots"] == []
    kb_row = dict(rows[1]["scenario"]["kb"]["items"][0])
    assert kb_row["location"] == "palo alto"
    assert kb_row["saturday"] == "clear skies, low of 50F, high of 70F"


def test_dev_fixture_keeps_repeated_driver_turns_and_empty_utterance():
    rows = to_table(
        parse_fixture("kvret_dev_public.json"), "data/kvret_dev_public.json", "dev"
    ).to_pylist()
    assert len(rows) == 2
    assert rows[0]["dialogue"][3]["data"]["utterance"] == ""
    speakers = [turn["turn"] for turn in rows[1]["dialogue"]]
    assert speakers == ["driver", "assistant", "driver", "driver", "assistant"]
    assert rows[1]["dialogue"][4]["data"]["end_dialogue"] is True


def test_test_fixture_has_an_empty_driver_utterance():
    rows = to_table(
        parse_fixture("kvret_test_public.json"), "data/kvret_test_public.json", "test"
    ).to_pylist()
    assert len(rows) == 2
    assert rows[0]["dialogue"][2] == {
        "turn": "driver",
        "data": {"end_dialogue": False, "utterance": "", "slots": None, "requested": None},
    }


def test_unexpected_scenario_key_is_rejected():
    records = parse_fixture("kvret_test_public.json")
    records[1]["scenario"]["task"]["domain"] = "calendar"
    kept_in_extra(to_table(records, "data/kvret_test_public.json", "test"), "domain")


def test_map_value_of_the_wrong_type_is_rejected():
    records = parse_fixture("kvret_dev_public.json")
    records[0]["dialogue"][1]["data"]["requested"]["poi"] = "yes"
    kept_in_extra(to_table(records, "data/kvret_dev_public.json", "dev"), "")


@pytest.mark.mirror
def test_real_dev_file_parses():
    path = require_mirror() / "kvret" / "data" / "kvret_dev_public.json"
    if not path.is_file():
        pytest.skip(f"{path} not in the mirror")
    rows = to_table(
        kvret.parse(path.read_bytes(), str(path)), "data/kvret_dev_public.json", "dev"
    ).to_pylist()
    assert len(rows) == 302
    assert sum(len(row["dialogue"]) for row in rows) == 1567
    assert len({row["scenario"]["uuid"] for row in rows}) == 302
    assert sum(row["scenario"]["kb"]["items"] is None for row in rows) == 60
