"""HWU64 parser on its KFold_1 fixtures in the upstream format (semicolon-delimited CSV)."""

from __future__ import annotations

import pytest

from ingest.sources import hwu64
from tests.source_support import assert_file_rejected, raw_table
from tests.support import FIXTURE_UPSTREAM, require_mirror

FOLD = (
    "CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_1"
)
TRAIN_ALARM_SET = f"{FOLD}/trainset/alarm_set.csv"
TEST_WEATHER_QUERY = f"{FOLD}/testset/csv/weather_query.csv"
HEADER = "answerid;scenario;intent;answer_annotation;answer_from_anno;answer_from_user"


def parse_fixture(path: str):
    fixture = FIXTURE_UPSTREAM / "hwu64" / path
    return hwu64.parse_examples(fixture.read_bytes(), str(fixture))


def test_parses_a_train_file_with_every_field_a_string():
    records = parse_fixture(TRAIN_ALARM_SET)
    table = raw_table(records, hwu64.EXAMPLE_SCHEMA, TRAIN_ALARM_SET, "train")
    assert table.num_rows == 3
    rows = table.to_pylist()
    assert rows[0] == {
        "answerid": "8737",
        "scenario": "alarm",
        "intent": "set",
        "answer_annotation": (
            "set an alarm for [date : tomorrow] at [time : six] in the [timeofday : morning]"
        ),
        "answer_from_anno": "set an alarm for tomorrow at six in the morning",
        "answer_from_user": "Set an alarm for tomorrow at six in the morning",
        "_source_path": TRAIN_ALARM_SET,
        "_upstream_split": "train",
        "_locale": "en",
        "_record_index": 0,
        "_extra": None,
    }
    assert rows[1]["answerid"] == "null"  # upstream writes the word, kept as it is


def test_parses_a_test_file():
    records = parse_fixture(TEST_WEATHER_QUERY)
    assert [r["answer_from_anno"] for r in records] == [
        "do i have to bring umbrella for tonight party",
        "will it rain in the noon",
    ]
    assert {(r["scenario"], r["intent"]) for r in records} == {("weather", "query")}


def test_a_wrong_header_names_the_file(tmp_path):
    assert_file_rejected(
        hwu64.parse_examples,
        tmp_path / "alarm_set.csv",
        "answerid,scenario,intent,answer_annotation,answer_from_anno,answer_from_user\n"
        '1,alarm,set,"wake me up","wake me up","Wake me up"\n',
        match=r"alarm_set.csv: header",
    )


def test_a_row_with_a_missing_field_names_the_file_and_row(tmp_path):
    assert_file_rejected(
        hwu64.parse_examples,
        tmp_path / "alarm_set.csv",
        f'{HEADER}\n1;alarm;set;"wake me up";"wake me up";"Wake me up"\n'
        '2;alarm;set;"set an alarm";"set an alarm"\n',
        match=r"alarm_set.csv: row 3 has 5 fields",
    )


def test_invalid_utf8_names_the_file(tmp_path):
    assert_file_rejected(
        hwu64.parse_examples,
        tmp_path / "alarm_set.csv",
        f'{HEADER}\n1;alarm;set;"caf\xe9";"caf\xe9";"caf\xe9"\n'.encode("latin-1"),
        match=r"alarm_set.csv: not valid UTF-8",
    )


@pytest.mark.parametrize(
    ("path", "expected"), [(TRAIN_ALARM_SET, 175), (f"{FOLD}/testset/csv/alarm_set.csv", 19)]
)
def test_real_kfold_1_files_have_their_counts(path, expected):
    real = require_mirror() / "hwu64" / path
    records = hwu64.parse_examples(real.read_bytes(), str(real))
    assert len(records) == expected
    assert {(r["scenario"], r["intent"]) for r in records} == {("alarm", "set")}
