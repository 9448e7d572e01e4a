"""MASSIVE parser on its fixture tarball in the upstream layout (`1.1/data/<locale>.jsonl`)."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import raw_store
from ingest.sources import UpstreamFormatError, massive
from tests.source_support import (
    assert_file_rejected,
    first_record_parsed_lazily,
    ingest_fixture,
    jsonl,
    raw_table,
)
from tests.support import FIXTURE_UPSTREAM

ARCHIVE_NAME = "amazon-massive-dataset-1.1.tar.gz"
FIXTURE = FIXTURE_UPSTREAM / "massive" / ARCHIVE_NAME


def parse_fixture() -> list[dict]:
    return list(massive.parse_examples(FIXTURE.read_bytes(), str(FIXTURE)))


def tarball(members: dict[str, bytes]) -> bytes:
    """A gzip tarball holding the given members, in the given order."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


RECORD = {
    "id": "1",
    "locale": "fr-FR",
    "partition": "train",
    "scenario": "alarm",
    "intent": "alarm_set",
    "utt": "réveille-moi à cinq heures",
    "annot_utt": "réveille-moi à [time : cinq heures]",
    "worker_id": "7",
}


def test_parser_is_a_lazy_generator():
    assert first_record_parsed_lazily(massive.parse_examples, FIXTURE)["locale"] == "en-US"


def test_members_are_read_in_archive_order_one_record_per_line():
    records = parse_fixture()
    assert Counter(r["locale"] for r in records) == {
        "en-US": 6,
        "de-DE": 6,
        "zh-TW": 6,
        "zh-CN": 6,
    }
    assert list(dict.fromkeys(r["locale"] for r in records)) == ["en-US", "de-DE", "zh-TW", "zh-CN"]
    assert [r["id"] for r in records[:6]] == ["1", "2", "3", "4", "5", "6"]


def test_parallel_ids_across_locales_and_zh_cn_zh_tw_stay_distinct():
    by_locale = {(r["locale"], r["id"]): r for r in parse_fixture()}
    assert by_locale[("en-US", "2")]["utt"] == "turn the lights off in the kitchen"
    assert by_locale[("zh-CN", "2")]["utt"] == "关掉厨房的灯"
    assert by_locale[("zh-TW", "2")]["utt"] == "關掉廚房的燈"
    assert {by_locale[(locale, "2")]["intent"] for locale in ("en-US", "zh-CN", "zh-TW")} == {
        "iot_hue_lightoff"
    }


def test_partitions_and_a_dev_test_intent_absent_from_train():
    records = [r for r in parse_fixture() if r["locale"] == "de-DE"]
    assert Counter(r["partition"] for r in records) == {"train": 3, "dev": 1, "test": 2}
    train_intents = {r["intent"] for r in records if r["partition"] == "train"}
    assert "alarm_query" not in train_intents
    assert {r["intent"] for r in records if r["partition"] != "train"} >= {"alarm_query"}


def test_raw_table_keeps_slot_methods_and_judgments_and_en_us_has_none():
    table = raw_table(
        parse_fixture(), massive.EXAMPLE_SCHEMA, ARCHIVE_NAME, locale="mul", location=str(FIXTURE)
    )
    rows = {(r["locale"], r["id"]): r for r in table.to_pylist()}
    assert table.num_rows == 24
    english = rows[("en-US", "1")]
    assert english["slot_method"] is None and english["judgments"] is None
    german = rows[("de-DE", "1")]
    assert german["annot_utt"] == "weck mich [date : diese woche] um [time : fünf uhr morgens] auf"
    assert german["slot_method"] == [
        {"slot": "time", "method": "translation"},
        {"slot": "date", "method": "translation"},
    ]
    assert german["judgments"][0] == {
        "worker_id": "3",
        "intent_score": 1,
        "slots_score": 1,
        "grammar_score": 4,
        "spelling_score": 2,
        "language_identification": "target",
    }
    assert rows[("zh-TW", "5")]["judgments"][1]["intent_score"] == 0
    # A judgment without language_identification keeps it null rather than inventing one.
    assert rows[("zh-TW", "3")]["judgments"][2]["language_identification"] is None
    assert rows[("de-DE", "4")]["slot_method"] == []


def test_top_folder_name_may_vary_and_only_data_jsonl_members_are_read():
    content = tarball(
        {
            "amazon-massive-dataset-1.0/1.0/LICENSE": b"licence text\n",
            "amazon-massive-dataset-1.0/1.0/data/fr-FR.jsonl": jsonl(RECORD, {**RECORD, "id": "2"}),
            "amazon-massive-dataset-1.0/1.0/notes/extra.jsonl": b"not json\n",
        }
    )
    records = list(massive.parse_examples(content, "massive-1.0.tar.gz"))
    assert [r["id"] for r in records] == ["1", "2"]


def test_bad_json_line_names_archive_member_and_line():
    bad = jsonl(RECORD) + b'{"id": "2", "locale": \n'
    content = tarball({"1.1/LICENSE": b"x\n", "1.1/data/fr-FR.jsonl": bad})
    with pytest.raises(
        UpstreamFormatError,
        match=r"m\.tar\.gz: member 1\.1/data/fr-FR\.jsonl line 2: not valid JSON",
    ):
        list(massive.parse_examples(content, "m.tar.gz"))


def test_line_that_is_not_an_object_is_refused():
    content = tarball({"1.1/data/fr-FR.jsonl": jsonl(RECORD) + b'["1", "fr-FR"]\n'})
    with pytest.raises(UpstreamFormatError, match=r"fr-FR\.jsonl line 2: expected a JSON object"):
        list(massive.parse_examples(content, "m.tar.gz"))


def test_invalid_utf8_names_member_and_line():
    content = tarball({"1.1/data/fr-FR.jsonl": b'{"utt": "caf\xe9"}\n'})
    with pytest.raises(UpstreamFormatError, match=r"fr-FR\.jsonl line 1: not valid UTF-8"):
        list(massive.parse_examples(content, "m.tar.gz"))


@pytest.mark.parametrize("cut", [40, 700, -1])
def test_truncated_archive_names_the_file(tmp_path, cut):
    assert_file_rejected(
        massive.parse_examples,
        tmp_path / ARCHIVE_NAME,
        FIXTURE.read_bytes()[:cut],
        match=rf"{ARCHIVE_NAME}: .*(truncated|not a readable)",
    )


def test_not_a_gzip_file_names_the_file():
    with pytest.raises(UpstreamFormatError, match=r"x\.tar\.gz: not a readable gzip tarball"):
        list(massive.parse_examples(b"<html>Access Denied</html>", "x.tar.gz"))


def test_archive_without_data_members_is_an_error():
    content = tarball({"1.1/LICENSE": b"licence text\n"})
    with pytest.raises(UpstreamFormatError, match=r"e\.tar\.gz: no \*/data/\*\.jsonl member"):
        list(massive.parse_examples(content, "e.tar.gz"))


def test_ingest_writes_every_record_of_the_fixture(tmp_path: Path):
    [report] = ingest_fixture("massive", tmp_path)
    assert report.records == 24 and report.files_ingested == 1 and report.complete
    table = pq.read_table(tmp_path / "raw" / "massive" / "examples" / f"{ARCHIVE_NAME}.parquet")
    assert table.num_rows == 24
    assert set(table.column("_locale").to_pylist()) == {"mul"}
    assert table.column("_record_index").to_pylist() == list(range(24))
    manifest = raw_store.read_manifest(tmp_path / "raw" / "massive")
    assert manifest[ARCHIVE_NAME]["records"] == 24
    assert manifest[ARCHIVE_NAME]["parser_version"] == massive.PARSER_VERSION
