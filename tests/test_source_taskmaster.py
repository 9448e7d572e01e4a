"""The Taskmaster source modules (taskmaster1..4) on the hand-made fixtures (and on real TM-4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import chunks
from ingest.registry import REGISTRY
from ingest.sources import (
    UpstreamFormatError,
    taskmaster1,
    taskmaster2,
    taskmaster3,
    taskmaster4,
)
from tests.source_support import assert_file_rejected, raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra, require_mirror

FIXTURE_TASKMASTER = FIXTURE_UPSTREAM / "taskmaster"


def parse_fixture(module, relative: str, table: str = "dialogues") -> list[dict]:
    path = FIXTURE_TASKMASTER / relative
    return list(module.TABLES[table].parse(path.read_bytes(), str(path)))


def to_rows(module, records: list[dict], source_path: str, table: str = "dialogues") -> list[dict]:
    return raw_table(records, module.TABLES[table].schema, source_path).to_pylist()


def fixture_rows(module, relative: str, table: str = "dialogues") -> list[dict]:
    return to_rows(module, parse_fixture(module, relative, table), relative, table)


@pytest.mark.parametrize("dataset_id", ["taskmaster1", "taskmaster2", "taskmaster3", "taskmaster4"])
def test_every_registered_table_has_a_parser(dataset_id: str):
    module = {
        "taskmaster1": taskmaster1,
        "taskmaster2": taskmaster2,
        "taskmaster3": taskmaster3,
        "taskmaster4": taskmaster4,
    }[dataset_id]
    # 2: raw tables gained `_extra`; TM-3 3: split pieces concatenated before parsing
    expected_version = 3 if module is taskmaster3 else 2
    assert expected_version == module.PARSER_VERSION
    assert {file.table for file in REGISTRY[dataset_id].files} == set(module.TABLES)


def test_tm1_self_dialogs_keep_segments_and_same_speaker_runs():
    rows = fixture_rows(taskmaster1, "TM-1-2019/self-dialogs.json")
    assert len(rows) == 4
    assert rows[0]["conversation_id"] == "dlg-0a4e5c1b-7d2f-4b38-9e61-3c8f2d9a1b07"
    assert rows[0]["instruction_id"] == "restaurant-table-2"
    assert rows[0]["utterances"][0]["segments"] is None  # absent upstream
    assert rows[0]["utterances"][2]["segments"] == [
        {
            "start_index": 7,
            "end_index": 11,
            "text": "7 pm",
            "annotations": [
                {"name": "restaurant_reservation.time.reservation"},
                {"name": "restaurant_reservation.time.reservation"},
            ],
        }
    ]
    speakers = [utterance["speaker"] for utterance in rows[1]["utterances"]]
    assert speakers == ["USER", "ASSISTANT", "USER", "USER", "ASSISTANT"]
    assert rows[3]["utterances"][1] == {
        "index": 1,
        "speaker": "ASSISTANT",
        "text": "",
        "segments": None,
    }


def test_tm1_woz_dialogs_keep_an_empty_segment_list():
    rows = fixture_rows(taskmaster1, "TM-1-2019/woz-dialogs.json")
    assert [row["instruction_id"] for row in rows] == ["movie-tickets-1", "auto-repair-appt-1"]
    assert rows[0]["utterances"][1]["segments"] == []
    assert [u["speaker"] for u in rows[1]["utterances"]] == [
        "USER",
        "ASSISTANT",
        "ASSISTANT",
        "USER",
    ]


def test_tm1_split_id_lists_drop_the_trailing_comma():
    train = fixture_rows(taskmaster1, "TM-1-2019/train-dev-test/train.csv", "split_ids")
    assert train == [
        {
            "conversation_id": "dlg-0a4e5c1b-7d2f-4b38-9e61-3c8f2d9a1b07",
            "_source_path": "TM-1-2019/train-dev-test/train.csv",
            "_upstream_split": None,
            "_locale": "en",
            "_record_index": 0,
            "_extra": None,
        },
        {
            "conversation_id": "dlg-1b9d3f62-04ac-4e7b-8a15-6f2c0e7d9b44",
            "_source_path": "TM-1-2019/train-dev-test/train.csv",
            "_upstream_split": None,
            "_locale": "en",
            "_record_index": 1,
            "_extra": None,
        },
    ]
    listed = [
        record["conversation_id"]
        for name in ("train", "dev", "test")
        for record in parse_fixture(
            taskmaster1, f"TM-1-2019/train-dev-test/{name}.csv", "split_ids"
        )
    ]
    self_dialogs = parse_fixture(taskmaster1, "TM-1-2019/self-dialogs.json")
    assert sorted(listed) == sorted(d["conversation_id"] for d in self_dialogs)


def test_tm1_split_list_with_a_header_or_a_second_field_is_rejected():
    with pytest.raises(UpstreamFormatError, match=r"train\.csv: row 1: .*not a conversation id"):
        taskmaster1.TABLES["split_ids"].parse(
            b"conversation_id,\ndlg-1,\n", "TM-1-2019/train-dev-test/train.csv"
        )
    with pytest.raises(UpstreamFormatError, match=r"dev\.csv: row 2: expected"):
        taskmaster1.TABLES["split_ids"].parse(b"dlg-1,\ndlg-2,dev\n", "TM-1/dev.csv")


def test_tm2_domain_files_keep_assistant_runs_and_a_blank_utterance():
    flights = fixture_rows(taskmaster2, "TM-2-2020/data/flights.json")
    assert len(flights) == 2
    assert flights[0]["utterances"][0]["segments"][1] == {
        "start_index": 35,
        "end_index": 41,
        "text": "Denver",
        "annotations": [{"name": "flight_search.destination1"}],
    }
    music = fixture_rows(taskmaster2, "TM-2-2020/data/music.json")
    assert [u["speaker"] for u in music[0]["utterances"]] == [
        "USER",
        "ASSISTANT",
        "ASSISTANT",
        "USER",
        "USER",
    ]
    assert music[0]["utterances"][3]["text"] == "   "


def test_tm3_dialogs_keep_apis_with_values_as_json_text():
    rows = fixture_rows(taskmaster3, "TM-3-2020/data/data_00.json")
    assert len(rows) == 3
    assert rows[0]["vertical"] == "Movie Tickets"
    assert rows[0]["scenario"] == "Pick a movie at a named theater"
    [api] = rows[0]["utterances"][2]["apis"]
    assert api["name"] == "find_movies" and api["index"] == 2
    assert dict(api["args"]) == {
        "name.theater": '"Boulevard 14 Cinema"',
        "location": '"Petaluma, California"',
    }
    assert dict(api["response"]) == {"name.movie.1": '"Emma"', "name.movie.2": '"Mulan"'}
    assert rows[2]["utterances"][1]["apis"][0]["response"] is None  # absent upstream
    assert rows[0]["utterances"][0]["segments"][0]["annotations"] == [{"name": "name.theater"}]
    assert [u["speaker"] for u in rows[2]["utterances"]] == ["user", "assistant", "assistant"]


def test_tm3_api_value_of_any_json_type_is_kept_as_its_json_text():
    path = FIXTURE_TASKMASTER / "TM-3-2020/data/data_00.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[0]["utterances"][2]["apis"][0]["response"] = {"name.movie": ["Emma", "Mulan"], "n": 2}
    records = taskmaster3.parse(json.dumps(data).encode(), str(path))
    rows = to_rows(taskmaster3, records, "TM-3-2020/data/data_00.json")
    assert dict(rows[0]["utterances"][2]["apis"][0]["response"]) == {
        "name.movie": '["Emma", "Mulan"]',
        "n": "2",
    }


TRAIN_PIECES = ("TM-3-2020/splits/train/train-aa.tsv", "TM-3-2020/splits/train/train-ab.tsv")
A1C3 = "dlg-a1c3e5f7-2b4d-4e6f-8a0c-1e3f5a7b9c2d"


def recut_train_pieces() -> list[list[dict]]:
    """The rows of each train piece fixture, after concatenation and the cut at row starts."""
    table = taskmaster3.TABLES["split_rows"]
    pieces = chunks.recut(
        [(FIXTURE_TASKMASTER / path).read_bytes() for path in TRAIN_PIECES],
        table.chunks.record_starts,
        "train",
    )
    assert [dict(piece.drift) for piece in pieces] == [{}, {}]
    return [
        to_rows(taskmaster3, list(table.parse(piece.content, path)), path, "split_rows")
        for piece, path in zip(pieces, TRAIN_PIECES, strict=True)
    ]


def test_tm3_split_pieces_are_one_file_a_row_straddling_two_pieces_is_whole():
    aa, ab = (FIXTURE_TASKMASTER / path for path in TRAIN_PIECES)
    # The fixture cuts a quoted field between the two bytes of an "é": neither piece alone
    # is a file of whole rows.
    assert aa.read_bytes().endswith(b"Caf\xc3") and ab.read_bytes().startswith(b"\xa9")
    with pytest.raises(UpstreamFormatError):
        taskmaster3.TABLES["split_rows"].parse(ab.read_bytes(), str(ab))
    first, second = recut_train_pieces()
    assert [len(first), len(second)] == [3, 1]  # the straddling row goes where it starts
    assert first[2]["target"] == (
        '[PN]book_tickets[PAN]name.movie[PAV]"Emma"[PAN]name.theater[PAV]Boulevard 14 Café'
        "[PAN]num.tickets[PAV]two"
    )
    assert second[0]["context"] == "<U>Make it the 7pm showing.<C>"
    assert {row["conversation_id"] for row in first + second} == {A1C3}
    # Concatenated, the pieces hold exactly these rows (as `cat train-*.tsv` gives them).
    whole = b"".join(path.read_bytes() for path in (aa, ab))
    parsed = taskmaster3.TABLES["split_rows"].parse(whole, "train.tsv")
    assert [row["target"] for row in parsed] == [row["target"] for row in first + second]


def test_tm3_split_rows_read_csv_quoting_in_tab_separated_files():
    train = recut_train_pieces()[0]
    assert train[1]["target"] == '[A]Boulevard 14 is showing "Emma" and Mulan.'
    assert train[0]["context"] == "<U>What's playing at the Boulevard 14 in Petaluma?<C>"
    assert train[0]["target"].startswith("[PN]find_movies[PAN]name.theater")
    dev = parse_fixture(taskmaster3, "TM-3-2020/splits/dev/dev-aa.tsv", "split_rows")
    test = parse_fixture(taskmaster3, "TM-3-2020/splits/test/test-aa.tsv", "split_rows")
    assert [row["conversation_id"] for row in dev + test] == [
        "dlg-b2d4f6a8-3c5e-4f7a-9b1d-2f4a6b8c0d3e",
        "dlg-c3e5a7b9-4d6f-4a8b-8c2e-3a5b7c9d1e4f",
    ]


def test_tm3_split_row_with_a_missing_field_names_file_and_row():
    content = b"<U>hi<C>\t[A]hello\tdlg-1\n<U>bye<C>\t[A]bye\n"
    with pytest.raises(UpstreamFormatError, match=r"dev-ab\.tsv: row 2 has 2 fields"):
        taskmaster3.TABLES["split_rows"].parse(content, "TM-3-2020/splits/dev/dev-ab.tsv")


def test_tm4_keeps_string_offsets_and_annotation_values_as_strings():
    rows = fixture_rows(taskmaster4, "TM-4-2024/data/data_00.json")
    assert len(rows) == 3
    assert rows[0]["instructions"] is None
    assert rows[1]["instructions"].startswith("Order a drink the shop does not sell")
    first = rows[0]["utterances"][0]
    assert first["segments"] == [
        {
            "start_index": "19",
            "end_index": "32",
            "text": "whipped cream",
            "annotator_id": "GENERATED",
            "annotations": [{"name": "request"}],
        }
    ]
    assert first["annotations"][1] == {
        "name": "request",
        "value": '{"query": "Mocha"}',
        "context": "api_call_0",
    }
    assert first["annotations"][7]["value"] == '{"order_id": "51230","order_item_id":"77310"}'
    assert rows[0]["utterances"][1]["segments"] == []
    assert rows[0]["utterances"][1]["annotations"] == []


@pytest.mark.parametrize(
    ("module", "relative"),
    [
        (taskmaster1, "TM-1-2019/self-dialogs.json"),
        (taskmaster2, "TM-2-2020/data/music.json"),
        (taskmaster3, "TM-3-2020/data/data_00.json"),
        (taskmaster4, "TM-4-2024/data/data_00.json"),
    ],
)
def test_corrupt_json_names_the_file(tmp_path: Path, module, relative: str):
    assert_file_rejected(
        module.TABLES["dialogues"].parse,
        tmp_path / Path(relative).name,
        '[{"conversation_id": "dlg-1", "utterances": [',
    )


def test_invalid_utf8_in_a_split_file_names_the_file():
    with pytest.raises(UpstreamFormatError, match=r"test-aa\.tsv"):
        taskmaster3.TABLES["split_rows"].parse(b"\xff\tx\tdlg-1\n", "splits/test/test-aa.tsv")


def test_unexpected_utterance_key_is_rejected():
    records = parse_fixture(taskmaster1, "TM-1-2019/woz-dialogs.json")
    records[0]["utterances"][0]["apis"] = []
    kept_in_extra(to_rows(taskmaster1, records, "TM-1-2019/woz-dialogs.json"), "apis")


def test_tm4_integer_segment_offset_is_rejected():
    records = parse_fixture(taskmaster4, "TM-4-2024/data/data_00.json")
    records[0]["utterances"][0]["segments"][0]["start_index"] = 19
    kept_in_extra(to_rows(taskmaster4, records, "TM-4-2024/data/data_00.json"), "")


def test_unexpected_dialog_key_is_rejected():
    records = parse_fixture(taskmaster4, "TM-4-2024/data/data_00.json")
    records[2]["instruction_id"] = "coffee-1"
    kept_in_extra(to_rows(taskmaster4, records, "TM-4-2024/data/data_00.json"), "instruction_id")


@pytest.mark.mirror
def test_real_tm4_files_parse():
    folder = require_mirror() / "taskmaster" / "TM-4-2024" / "data"
    paths = sorted(folder.glob("data_*.json"))
    if len(paths) != 8:
        pytest.skip(f"{folder} does not hold the 8 TM-4 data files")
    dialogues = utterances = with_segments = 0
    ids = set()
    for path in paths:
        relative = f"TM-4-2024/data/{path.name}"
        rows = to_rows(taskmaster4, taskmaster4.parse(path.read_bytes(), str(path)), relative)
        dialogues += len(rows)
        utterances += sum(len(row["utterances"]) for row in rows)
        with_segments += sum(len(u["segments"]) for row in rows for u in row["utterances"])
        ids.update(row["conversation_id"] for row in rows)
    assert dialogues == 3710
    assert utterances == 13915
    assert with_segments == 82
    assert len(ids) == 3710
