"""Frames parser on its hand-made `frames.json` fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from ingest.sources import frames
from tests.source_support import first_record_parsed_lazily, ingest_fixture, raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra

FIXTURE = FIXTURE_UPSTREAM / "frames" / "frames.json"


def parse_fixture() -> list[dict]:
    return list(frames.parse(FIXTURE.read_bytes(), str(FIXTURE)))


def upstream() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def to_table(records: list[dict]):
    return raw_table(records, frames.SCHEMA, "frames.json", location=str(FIXTURE))


def test_parser_is_a_generator():
    first = first_record_parsed_lazily(frames.parse, FIXTURE)
    assert first["id"] == "e2c0fc6c-2134-4891-8353-ef16d8412c9a"


def test_dialogue_fields_are_typed():
    rows = to_table(parse_fixture()).to_pylist()
    assert [row["id"] for row in rows] == [
        "e2c0fc6c-2134-4891-8353-ef16d8412c9a",
        "4a3d3cd8-3fc1-4ad0-a6dd-6b1b22fb7dc3",
        "9b7f1c2e-5d44-4e1a-9f0b-3c2a1d0e8f76",
    ]
    assert rows[0]["user_id"] == "U22HTHYNP" and rows[0]["wizard_id"] == "U21DKG18C"
    assert rows[0]["labels"] == {"userSurveyRating": 4.0, "wizardSurveyTaskSuccessful": True}
    assert rows[1]["labels"] == {"userSurveyRating": None, "wizardSurveyTaskSuccessful": False}
    assert rows[0]["turns"][0]["timestamp"] == 1471272019730.0


def test_authors_are_kept_including_consecutive_turns_and_an_empty_text():
    rows = to_table(parse_fixture()).to_pylist()
    assert [turn["author"] for turn in rows[0]["turns"]] == ["user", "wizard", "user", "user"]
    assert rows[0]["turns"][2]["text"] == ""
    assert [turn["author"] for turn in rows[1]["turns"]] == ["user", "wizard", "wizard", "user"]
    assert rows[1]["turns"][3]["text"] == "That  works,   thank you!"


def test_turn_labels_and_db_are_json_text_equal_to_upstream():
    rows = to_table(parse_fixture()).to_pylist()
    original = upstream()
    for row, dialogue in zip(rows, original, strict=True):
        for turn, upstream_turn in zip(row["turns"], dialogue["turns"], strict=True):
            assert json.loads(turn["labels"]) == upstream_turn["labels"]
            if "db" in upstream_turn:
                assert json.loads(turn["db"]) == upstream_turn["db"]
            else:
                assert turn["db"] is None
    labels = json.loads(rows[0]["turns"][3]["labels"])
    # Irregular values survive as they are: numbers, bools and frame references.
    assert labels["frames"][1]["info"]["n_adults"] == [{"val": 5, "negated": False}]
    assert labels["frames"][1]["info"]["flex"] == [{"val": True, "negated": False}]
    assert labels["acts"][0]["args"][0]["val"] == [{"frame": 2, "annotations": []}]
    assert json.loads(rows[0]["turns"][1]["db"])["search"][0]["DESTINATION_CITY"] == "Atlantis"


def test_unexpected_turn_key_is_rejected():
    records = parse_fixture()
    records[2]["turns"][0]["speaker"] = "user"
    kept_in_extra(to_table(records), "speaker")


def test_wrongly_typed_scalar_is_rejected():
    records = parse_fixture()
    records[0]["labels"]["wizardSurveyTaskSuccessful"] = "yes"
    kept_in_extra(to_table(records), "")


def test_turns_that_are_not_a_list_are_left_for_the_raw_store():
    [record] = frames.parse(b'[{"id": "x", "turns": {"author": "user"}}]', "frames.json")
    kept_in_extra(to_table([record]), "turns")


def test_ingest_writes_every_dialogue(tmp_path: Path):
    [report] = ingest_fixture("frames", tmp_path)
    assert report.records == 3 and report.complete
    table = pq.read_table(tmp_path / "raw" / "frames" / "dialogues" / "frames.json.parquet")
    assert table.column("_record_index").to_pylist() == [0, 1, 2]
    assert table.column("_upstream_split").to_pylist() == [None] * 3
