"""The WOZ 2.0 source module on the hand-made fixtures (and on one real mirror file)."""

from __future__ import annotations

import json

import pytest

from ingest.sources import woz2
from tests.source_support import raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra, require_mirror

FIXTURE_WOZ = FIXTURE_UPSTREAM / "woz2" / "data" / "woz"


def parse_fixture(name: str) -> list[dict]:
    path = FIXTURE_WOZ / name
    return woz2.parse(path.read_bytes(), str(path))


def to_table(records: list[dict], source_path: str, split: str, locale: str):
    return raw_table(records, woz2.SCHEMA, source_path, split, locale)


def test_train_en_fixture_becomes_a_table_with_nesting_kept():
    table = to_table(
        parse_fixture("woz_train_en.json"), "data/woz/woz_train_en.json", "train", "en"
    )
    rows = table.to_pylist()
    assert table.num_rows == 3
    assert [row["dialogue_idx"] for row in rows] == [0, 1, 2]
    first_turn = rows[0]["dialogue"][0]
    assert first_turn["system_transcript"] == ""
    assert first_turn["transcript"] == "I want a cheap restaurant in the north part of town."
    assert first_turn["belief_state"][0] == {"act": "inform", "slots": [["price range", "cheap"]]}
    assert rows[0]["dialogue"][1]["turn_label"] == [["request", "address"], ["request", "phone"]]
    assert rows[1]["_record_index"] == 1
    assert rows[1]["_upstream_split"] == "train"
    assert rows[1]["_locale"] == "en"


def test_mixed_type_fields_are_kept_as_json_text():
    rows = to_table(
        parse_fixture("woz_train_en.json"), "data/woz/woz_train_en.json", "train", "en"
    ).to_pylist()
    assert rows[1]["dialogue"][1]["system_acts"] == '["price range", ["food", "thai"]]'
    assert rows[2]["dialogue"][1]["system_acts"] == '[["food", "indian"], "area"]'
    assert rows[0]["dialogue"][0]["system_acts"] == "[]"
    assert rows[1]["dialogue"][0]["asr"] == '[["Is there a thai restaurant in the west?", 1.0]]'
    assert json.loads(rows[2]["dialogue"][0]["asr"])[0][1] == 1.0


def test_german_file_keeps_empty_user_transcript_and_english_system_side():
    german = to_table(
        parse_fixture("woz_train_de.json"), "data/woz/woz_train_de.json", "train", "de"
    ).to_pylist()
    english = parse_fixture("woz_train_en.json")
    assert len(german) == 3
    assert german[1]["dialogue"][0]["transcript"] == ""
    assert german[1]["dialogue"][0]["asr"] == '[["", 1.0]]'
    assert german[1]["dialogue"][1]["transcript"] == "Bitte etwas Teures."
    assert german[1]["dialogue"][1]["system_acts"] == '["preisklasse", ["essen", "thailändisch"]]'
    for german_dialogue, english_dialogue in zip(german, english, strict=True):
        assert [turn["system_transcript"] for turn in german_dialogue["dialogue"]] == [
            turn["system_transcript"] for turn in english_dialogue["dialogue"]
        ]


@pytest.mark.parametrize("split, count", [("train", 3), ("validate", 2), ("test", 2)])
@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_fixture_file_parses(split: str, locale: str, count: int):
    name = f"woz_{split}_{locale}.json"
    table = to_table(parse_fixture(name), f"data/woz/{name}", split, locale)
    assert table.num_rows == count


def test_unexpected_turn_key_is_rejected():
    records = parse_fixture("woz_validate_en.json")
    records[1]["dialogue"][0]["system_dialogue_acts"] = []
    kept_in_extra(
        to_table(records, "data/woz/woz_validate_en.json", "validate", "en"), "system_dialogue_acts"
    )


def test_unexpected_top_level_key_is_rejected():
    records = parse_fixture("woz_validate_en.json")
    records[0]["domain"] = "restaurant"
    kept_in_extra(to_table(records, "data/woz/woz_validate_en.json", "validate", "en"), "domain")


@pytest.mark.mirror
def test_real_validate_de_file_parses():
    path = require_mirror() / "woz2" / "data" / "woz" / "woz_validate_de.json"
    if not path.is_file():
        pytest.skip(f"{path} not in the mirror")
    table = to_table(
        woz2.parse(path.read_bytes(), str(path)), "data/woz/woz_validate_de.json", "validate", "de"
    )
    rows = table.to_pylist()
    assert table.num_rows == 200
    assert [row["dialogue_idx"] for row in rows] == list(range(600, 800))
    assert sum(len(row["dialogue"]) for row in rows) == 830
    assert all(row["dialogue"][0]["system_transcript"] == "" for row in rows)
