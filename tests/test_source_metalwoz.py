"""MetaLWOZ parser on its fixture zips (train, and held-out test with a nested zip)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import raw_store
from ingest.sources import UpstreamFormatError, metalwoz
from tests.source_support import (
    assert_file_rejected,
    first_record_parsed_lazily,
    ingest_fixture,
    jsonl,
    raw_table,
)
from tests.support import FIXTURE_UPSTREAM, kept_in_extra

FIXTURE_DIR = FIXTURE_UPSTREAM / "metalwoz"
TRAIN_ZIP = FIXTURE_DIR / "metalwoz-v1.zip"
TEST_ZIP = FIXTURE_DIR / "metalwoz-test-v1.zip"
NESTED_NAME = "dstc8_metalwoz_heldout.zip"

DIALOGUE = {
    "id": "0001",
    "user_id": "u1",
    "bot_id": "b1",
    "domain": "ALARM_SET",
    "task_id": "t1",
    "turns": ["Hello how may I help you?", "Set an alarm", "Done."],
}


def parse_fixture(path: Path) -> list[dict]:
    return list(metalwoz.parse(path.read_bytes(), str(path)))


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding the given members, in the given order."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return raw.getvalue()


def test_parser_is_a_lazy_generator():
    assert first_record_parsed_lazily(metalwoz.parse, TRAIN_ZIP)["id"] == "a1b2c3d4"


def test_train_zip_dialogues_in_archive_order_tasks_not_read():
    records = parse_fixture(TRAIN_ZIP)
    with zipfile.ZipFile(TRAIN_ZIP) as archive:
        assert "tasks.txt" in archive.namelist()
    assert [r["id"] for r in records] == [
        "a1b2c3d4",
        "b7e4f2a9",
        "c9d8e7f6",
        "d0c1b2a3",
        "e5f6a7b8",
    ]
    assert Counter(r["domain"] for r in records) == {"ALARM_SET": 2, "BUS_SCHEDULE_BOT": 3}
    assert all(set(r) == set(DIALOGUE) for r in records)


def test_records_are_kept_as_upstream_has_them_bot_first():
    first = parse_fixture(TRAIN_ZIP)[0]
    assert first["user_id"] == "5f0e9a11" and first["bot_id"] == "7c3d2b90"
    assert first["task_id"] == "2a7f8c41"
    assert first["turns"][0] == "Hello how may I help you?"
    assert first["turns"][1].startswith("Can you set an alarm")
    assert len(first["turns"]) == 10


def test_held_out_zip_is_read_through_its_nested_zip():
    with zipfile.ZipFile(TEST_ZIP) as archive:
        assert archive.namelist() == [NESTED_NAME]
    records = parse_fixture(TEST_ZIP)
    assert [r["id"] for r in records] == ["f00dcafe", "beadfeed", "cab00d1e"]
    assert Counter(r["domain"] for r in records) == {"HOTEL_RESERVE": 2, "TOURISM": 1}
    assert records[2]["turns"][2] == "The Musée d’Orsay is a great choice on a rainy day."


def test_raw_table_of_both_zips():
    for path, split, count in ((TRAIN_ZIP, "train", 5), (TEST_ZIP, "test", 3)):
        table = raw_table(
            parse_fixture(path), metalwoz.SCHEMA, path.name, split, location=str(path)
        )
        assert table.num_rows == count
    assert table.column("turns").to_pylist()[1][-1] == (
        "Friday is fully booked, but Saturday and Sunday are free."
    )


def test_unexpected_key_is_kept_by_the_raw_store():
    records = [{**DIALOGUE, "speakers": ["bot", "user", "bot"]}]
    kept_in_extra(raw_table(records, metalwoz.SCHEMA, "metalwoz-v1.zip", "train"), "speakers")


def test_dialogue_members_at_any_depth_and_nested_zips_at_any_depth():
    inner = make_zip({"dialogues/TOURISM.txt": jsonl({**DIALOGUE, "id": "inner"})})
    middle = make_zip({"deeper/inner.zip": inner})
    content = make_zip(
        {
            "metalwoz-v1/tasks.txt": b"not a dialogue\n",
            "metalwoz-v1/dialogues/ALARM_SET.txt": jsonl(DIALOGUE),
            "metalwoz-v1/notes/README.txt": b"not json\n",
            "middle.zip": middle,
        }
    )
    assert [r["id"] for r in metalwoz.parse(content, "m.zip")] == ["0001", "inner"]


def test_blank_lines_are_skipped():
    content = make_zip(
        {"dialogues/ALARM_SET.txt": jsonl(DIALOGUE) + b"\n" + jsonl({**DIALOGUE, "id": "2"})}
    )
    assert [r["id"] for r in metalwoz.parse(content, "m.zip")] == ["0001", "2"]


def test_bad_json_line_names_archive_member_and_line():
    bad = jsonl(DIALOGUE) + b"\n" + b'{"id": "2", "turns": [\n'
    content = make_zip({"tasks.txt": b"{}\n", "dialogues/ALARM_SET.txt": bad})
    with pytest.raises(
        UpstreamFormatError,
        match=r"m\.zip: member dialogues/ALARM_SET\.txt line 3: not valid JSON",
    ):
        list(metalwoz.parse(content, "m.zip"))


def test_bad_json_line_in_the_nested_zip_names_both_zips():
    inner = make_zip({"dialogues/TOURISM.txt": jsonl(DIALOGUE) + b"[1, 2]\n"})
    content = make_zip({NESTED_NAME: inner})
    with pytest.raises(
        UpstreamFormatError,
        match=(
            r"metalwoz-test-v1\.zip: member dstc8_metalwoz_heldout\.zip: "
            r"member dialogues/TOURISM\.txt line 2: expected a JSON object"
        ),
    ):
        list(metalwoz.parse(content, "metalwoz-test-v1.zip"))


def test_invalid_utf8_names_member_and_line():
    content = make_zip({"dialogues/ALARM_SET.txt": b'{"id": "caf\xe9"}\n'})
    with pytest.raises(UpstreamFormatError, match=r"ALARM_SET\.txt line 1: not valid UTF-8"):
        list(metalwoz.parse(content, "m.zip"))


def test_not_a_zip_names_the_file():
    with pytest.raises(UpstreamFormatError, match=r"x\.zip: not a readable zip archive"):
        list(metalwoz.parse(b"<html>Access Denied</html>", "x.zip"))


def test_truncated_zip_names_the_file(tmp_path: Path):
    assert_file_rejected(
        metalwoz.parse,
        tmp_path / "metalwoz-v1.zip",
        TRAIN_ZIP.read_bytes()[:-40],
        match=r"metalwoz-v1\.zip: not a readable zip",
    )


def test_corrupt_nested_zip_names_the_member():
    content = make_zip({NESTED_NAME: b"PK\x03\x04 garbage"})
    with pytest.raises(
        UpstreamFormatError,
        match=r"t\.zip: member dstc8_metalwoz_heldout\.zip: not a readable zip archive",
    ):
        list(metalwoz.parse(content, "t.zip"))


def test_corrupt_member_data_names_the_member():
    member = jsonl(DIALOGUE)
    content = make_zip({"dialogues/ALARM_SET.txt": member}, compression=zipfile.ZIP_STORED)
    position = content.index(member) + member.index(b"ALARM_SET")
    damaged = content[:position] + b"X" + content[position + 1 :]
    with pytest.raises(
        UpstreamFormatError, match=r"m\.zip: member dialogues/ALARM_SET\.txt: truncated or corrupt"
    ):
        list(metalwoz.parse(damaged, "m.zip"))


def test_zip_without_dialogue_members_is_an_error():
    content = make_zip({"tasks.txt": b"{}\n", NESTED_NAME: make_zip({"tasks.txt": b"{}\n"})})
    with pytest.raises(UpstreamFormatError, match=r"e\.zip: no \*/dialogues/\*\.txt member"):
        list(metalwoz.parse(content, "e.zip"))


def test_ingest_writes_both_zips(tmp_path: Path):
    [report] = ingest_fixture("metalwoz", tmp_path)
    assert report.records == 8 and report.files_ingested == 2 and report.complete
    dialogues = tmp_path / "raw" / "metalwoz" / "dialogues"
    test_table = pq.read_table(dialogues / "metalwoz-test-v1.zip.parquet")
    assert test_table.column("_upstream_split").to_pylist() == ["test"] * 3
    assert test_table.column("_record_index").to_pylist() == [0, 1, 2]
    manifest = raw_store.read_manifest(tmp_path / "raw" / "metalwoz")
    assert manifest["metalwoz-v1.zip"]["records"] == 5
    assert manifest["metalwoz-test-v1.zip"]["parser_version"] == metalwoz.PARSER_VERSION
