"""MInDS-14 parser on its fixture zip in the upstream layout (`MInDS-14/text.zip` of CSVs)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import raw_store
from ingest.sources import UpstreamFormatError, minds14
from tests.source_support import assert_file_rejected, ingest_fixture, raw_table
from tests.support import FIXTURE_UPSTREAM

ARCHIVE_NAME = "MInDS-14.zip"
FIXTURE = FIXTURE_UPSTREAM / "minds14" / ARCHIVE_NAME
HEADER = "filepath,text_asr,text_translated,intent\n"


def parse_fixture() -> list[dict]:
    return minds14.parse_examples(FIXTURE.read_bytes(), str(FIXTURE))


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def minds_zip(text_members: dict[str, str]) -> bytes:
    """A MInDS-14.zip whose text.zip holds the given CSV texts."""
    text_zip = zip_of({name: text.encode("utf-8") for name, text in text_members.items()})
    return zip_of({"MInDS-14/license.md": b"CC BY 4.0\n", "MInDS-14/text.zip": text_zip})


def test_records_per_locale_from_the_member_names():
    records = parse_fixture()
    assert Counter(r["locale"] for r in records) == {"de-DE": 3, "en-US": 4, "fr-FR": 3}
    assert records[3] == {
        "locale": "en-US",
        "path": "en-US~ADDRESS/response_4.wav",
        "transcription": "I need to change my address",
        "english_transcription": "I need to change my address",
        "intent": "address",
    }


def test_english_translation_sits_beside_the_transcription_and_intents_stay_verbatim():
    by_path = {r["path"]: r for r in parse_fixture()}
    joint = by_path["fr-FR~JOINT_ACCOUNT/response_1.wav"]
    assert joint["transcription"] == "bonjour, je voudrais ouvrir un compte joint"
    assert joint["english_transcription"] == "hello, I would like to open a joint account"
    assert joint["intent"] == "JOINT_ACCOUNT"  # as upstream writes it, not lower-cased


def test_space_after_the_comma_is_skipped_as_xtreme_s_reads_it():
    by_path = {r["path"]: r for r in parse_fixture()}
    abroad = by_path["de-DE~ABROAD/response_2.wav"]
    assert abroad["transcription"] == "kann ich meine Karte im Ausland benutzen"
    assert abroad["english_transcription"] == "can I use my card abroad"
    assert abroad["intent"] == "abroad"


def test_aux_en_is_not_read():
    assert not [r for r in parse_fixture() if r["path"].startswith("aux-en")]
    content = minds_zip(
        {
            "aux-en.csv": HEADER + "aux-en~FREEZE/response_1.wav,a,b,freeze\n",
            "en-GB.csv": HEADER + "en-GB~FREEZE/response_1.wav,a,b,freeze\n",
        }
    )
    assert [r["locale"] for r in minds14.parse_examples(content, "m.zip")] == ["en-GB"]


def test_fixture_paths_fall_in_every_derived_split():
    """The registry's rule (md5 of the path, first 8 hex digits, modulo 10) on the fixture."""

    def split_of(path: str) -> str:
        bucket = int(hashlib.md5(path.encode("utf-8")).hexdigest()[:8], 16) % 10
        return "train" if bucket <= 7 else "validation" if bucket == 8 else "test"

    assert {split_of(r["path"]) for r in parse_fixture()} == {"train", "validation", "test"}


def test_raw_table_fits_the_schema():
    table = raw_table(
        parse_fixture(), minds14.EXAMPLE_SCHEMA, ARCHIVE_NAME, locale="mul", location=str(FIXTURE)
    )
    assert table.num_rows == 10
    assert table.column_names[:5] == [
        "locale",
        "path",
        "transcription",
        "english_transcription",
        "intent",
    ]


def test_row_with_wrong_number_of_columns_names_the_member_and_row():
    content = minds_zip({"en-US.csv": HEADER + "a.wav,x,y,freeze\nb.wav,only three,freeze\n"})
    with pytest.raises(
        UpstreamFormatError,
        match=r"m\.zip: member MInDS-14/text\.zip: member en-US\.csv: row 3 has 3 fields",
    ):
        minds14.parse_examples(content, "m.zip")


def test_header_is_checked_for_at_least_four_columns():
    content = minds_zip({"en-US.csv": "path,text,intent\na.wav,x,y,freeze\n"})
    with pytest.raises(UpstreamFormatError, match=r"en-US\.csv: header .* expected 4 columns"):
        minds14.parse_examples(content, "m.zip")
    renamed = minds_zip({"en-US.csv": "a,b,c,d\na.wav,x,y,freeze\n"})
    assert minds14.parse_examples(renamed, "m.zip")[0]["intent"] == "freeze"


def test_unexpected_members_are_counted_as_drift_not_read_and_not_fatal():
    content = zip_of(
        {
            "MInDS-14/license.md": b"CC BY 4.0\n",
            "MInDS-14/README.txt": b"about the data\n",
            "MInDS-14/text.zip": zip_of(
                {
                    "en-US.csv": (HEADER + "a.wav,x,y,freeze\n").encode(),
                    "notes/readme.txt": b"hello",
                    "de-DE/de-DE.csv": (HEADER + "b.wav,x,y,freeze\n").encode(),
                }
            ),
        }
    )
    drift = raw_store.SchemaDrift()
    records = minds14.parse_examples(content, "m.zip", drift=drift)
    assert [r["path"] for r in records] == ["a.wav"]  # only the <locale>.csv at the root
    assert drift.rows() == [
        {"key": "MInDS-14/README.txt", "kind": "unread member", "records": 1},
        {"key": "text.zip/de-DE/de-DE.csv", "kind": "unread member", "records": 1},
        {"key": "text.zip/notes/readme.txt", "kind": "unread member", "records": 1},
    ]


def test_missing_text_zip_names_the_file():
    content = zip_of({"MInDS-14/license.md": b"CC BY 4.0\n"})
    with pytest.raises(UpstreamFormatError, match=r"m\.zip: expected one member named text\.zip"):
        minds14.parse_examples(content, "m.zip")


def test_corrupt_zip_names_the_file(tmp_path):
    assert_file_rejected(
        minds14.parse_examples,
        tmp_path / ARCHIVE_NAME,
        FIXTURE.read_bytes()[:-40],
        match=rf"{ARCHIVE_NAME}: not a readable zip file",
    )


def test_corrupt_inner_member_names_the_member():
    text_zip = bytearray(zip_of({"en-US.csv": (HEADER + "a.wav,x,y,freeze\n" * 50).encode()}))
    text_zip[60] ^= 0xFF  # inside the compressed data of en-US.csv
    content = zip_of({"MInDS-14/text.zip": bytes(text_zip)})
    with pytest.raises(UpstreamFormatError, match=r"member en-US\.csv: corrupt zip member"):
        minds14.parse_examples(content, "m.zip")


def test_ingest_writes_every_record_of_the_fixture(tmp_path: Path):
    [report] = ingest_fixture("minds14", tmp_path)
    assert report.records == 10 and report.files_ingested == 1 and report.complete
    table = pq.read_table(tmp_path / "raw" / "minds14" / "examples" / f"{ARCHIVE_NAME}.parquet")
    assert table.num_rows == 10
    assert Counter(table.column("locale").to_pylist()) == {"de-DE": 3, "en-US": 4, "fr-FR": 3}
    manifest = raw_store.read_manifest(tmp_path / "raw" / "minds14")
    assert manifest[ARCHIVE_NAME]["records"] == 10


def test_ingest_reads_the_zip_from_its_file_not_from_memory(tmp_path: Path, monkeypatch):
    import dataclasses

    table = minds14.TABLES["examples"]
    given = []

    def spy(content, location, drift=None):
        given.append(content)
        return table.parse(content, location, drift=drift)

    monkeypatch.setitem(minds14.TABLES, "examples", dataclasses.replace(table, parse=spy))
    [report] = ingest_fixture("minds14", tmp_path)
    assert report.records == 10
    [stream] = given
    assert not isinstance(stream, bytes)  # an open file, which the zip reader seeks in
    assert stream.name == str(FIXTURE) and stream.closed  # and closed after the conversion


def test_columns_beyond_the_fourth_are_kept_as_drift_not_dropped(tmp_path: Path):
    content = minds_zip(
        {
            "en-US.csv": "path,text,english,intent,speaker,path\n"
            "a.wav,x,y,freeze,s1,p2\n"
            "b.wav,x,y,freeze,s2,p3,late\n"
        }
    )
    records = minds14.parse_examples(content, "m.zip")
    assert records[0] == {
        "locale": "en-US",
        "path": "a.wav",
        "transcription": "x",
        "english_transcription": "y",
        "intent": "freeze",
        "speaker": "s1",
        "column_6": "p2",  # the header repeats a name of ours
    }
    assert records[1]["column_7"] == "late"  # a field the header has no name for
    drift = raw_store.SchemaDrift()
    table = raw_store.records_to_table(
        records,
        minds14.EXAMPLE_SCHEMA,
        source_path="MInDS-14.zip",
        upstream_split=None,
        locale="mul",
        location="m.zip",
        drift=drift,
    )
    assert table.column("path").to_pylist() == ["a.wav", "b.wav"]
    extras = [json.loads(extra) for extra in table.column("_extra").to_pylist()]
    assert extras == [
        {"speaker": "s1", "column_6": "p2"},
        {"speaker": "s2", "column_6": "p3", "column_7": "late"},
    ]
    assert dict(drift) == {
        ("speaker", "unknown key"): 2,
        ("column_6", "unknown key"): 2,
        ("column_7", "unknown key"): 1,
    }
