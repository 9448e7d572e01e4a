"""Writing raw records in bounded chunks, by the Python parsers and natively (DuckDB)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest import convert, raw_store
from ingest.fetch import read_from_mirror
from ingest.registry import REGISTRY, UpstreamFile
from ingest.sources import RawTable, UpstreamFormatError, multiwoz22, parser_for, sgd, taskmaster3
from tests.support import FIXTURE_UPSTREAM, require_mirror

SCHEMA = pa.schema([pa.field("text", pa.string()), pa.field("tags", pa.list_(pa.string()))])


def test_records_are_written_in_chunks_with_a_continuous_record_index(tmp_path, monkeypatch):
    monkeypatch.setattr(raw_store, "CHUNK_RECORDS", 3)
    records = ({"text": f"utterance {i}", "tags": ["a"] * (i % 2)} for i in range(8))
    path = tmp_path / "examples" / "train.csv.parquet"
    written = raw_store.write_records(
        records,
        SCHEMA,
        path,
        source_path="train.csv",
        upstream_split="train",
        locale="en",
        location="x",
    )
    assert written == 8
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_row_groups == 3
    table = parquet.read()
    assert table.column("_record_index").to_pylist() == list(range(8))
    assert table.column("text").to_pylist()[7] == "utterance 7"
    assert table.column("tags").to_pylist()[:2] == [[], ["a"]]


def test_no_records_still_write_a_typed_file(tmp_path):
    path = tmp_path / "empty.parquet"
    assert (
        raw_store.write_records(
            [], SCHEMA, path, source_path="e", upstream_split=None, locale="en", location="e"
        )
        == 0
    )
    assert pq.read_schema(path).names == [
        "text",
        "tags",
        "_source_path",
        "_upstream_split",
        "_locale",
        "_record_index",
        "_extra",
    ]


def test_a_drifting_record_in_a_later_chunk_keeps_its_index_and_its_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(raw_store, "CHUNK_RECORDS", 2)
    records = [{"text": "a"}, {"text": "b"}, {"text": "c", "extra": 1}, {"text": 4, "tags": "t"}]
    drift = raw_store.SchemaDrift()
    written = raw_store.write_records(
        records,
        SCHEMA,
        tmp_path / "x.parquet",
        source_path="x",
        upstream_split=None,
        locale="en",
        location="x",
        drift=drift,
    )
    assert written == 4
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.column("_record_index").to_pylist() == [0, 1, 2, 3]
    assert table.column("text").to_pylist() == ["a", "b", "c", None]
    extras = [None if e is None else json.loads(e) for e in table.column("_extra").to_pylist()]
    assert extras == [None, None, {"extra": 1}, {"text": 4, "tags": "t"}]
    assert drift.rows() == [
        {"key": "extra", "kind": "unknown key", "records": 1},
        {"key": "tags", "kind": "other type", "records": 1},
        {"key": "text", "kind": "other type", "records": 1},
    ]


def test_split_record_keeps_every_undeclared_value_at_its_path():
    schema = pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field(
                "turns",
                pa.list_(
                    pa.struct(
                        [
                            pa.field("n", pa.int64()),
                            pa.field("slots", pa.map_(pa.string(), pa.bool_())),
                        ]
                    )
                ),
            ),
        ]
    )
    record = {
        "id": "d1",
        "new": {"deep": [1, None]},
        "turns": [
            {"n": 1, "slots": {"a": True}},
            {"n": True, "slots": {"b": "no"}, "asr": None},
            {"n": 2**63},
        ],
    }
    drift = raw_store.SchemaDrift()
    declared = raw_store.split_record(record, schema, drift)
    assert json.loads(declared.pop("_extra")) == {
        "new": {"deep": [1, None]},
        "turns[1].n": True,
        'turns[1].slots["b"]': "no",
        "turns[1].asr": None,
        "turns[2].n": 2**63,
    }
    assert declared == {
        "id": "d1",
        "turns": [
            {"n": 1, "slots": {"a": True}},
            {"n": None, "slots": {"b": None}},
            {"n": None},
        ],
    }
    assert dict(drift) == {
        ("new", "unknown key"): 1,
        ("turns[].n", "other type"): 1,
        ("turns[].slots[]", "other type"): 1,
        ("turns[].asr", "unknown key"): 1,
    }


# --- the native (DuckDB) reader writes exactly what the Python parser writes -------------------


def native_fixture_files() -> list[tuple[str, UpstreamFile]]:
    """Every fixture file of a raw table that DuckDB may read natively, with its dataset."""
    return [
        (dataset.id, file)
        for dataset in REGISTRY.values()
        for file in dataset.files
        if parser_for(dataset.id).TABLES[file.table].json_array is not None
        and (FIXTURE_UPSTREAM / file.mirror_folder / file.path).is_file()
    ]


Outcome = tuple[str, Any]  # ("written", the Parquet table) or (error class name, message)
PROVENANCE = {"source_path": "train/x.json", "upstream_split": "train", "locale": "en"}
LOCATION = "/mirror/sgd/train/x.json"


def outcome_of(write: Callable[[], object], path: Path) -> Outcome:
    """The table a write wrote to path, or the error it raised."""
    try:
        write()
    except (UpstreamFormatError, raw_store.RawRecordError) as error:
        return type(error).__name__, str(error)
    return "written", pq.read_table(path)


def write_as_ingest(
    raw_table: RawTable, content: bytes, path: Path, expected_reader: str
) -> Outcome:
    """Write content as the ingest does (natively where it can), checking which reader wrote."""

    def write() -> None:
        written = convert.write_upstream_file(
            raw_table, content, path, location=LOCATION, **PROVENANCE
        )
        assert written.reader == expected_reader, f"read by {written.reader}"

    return outcome_of(write, path)


def write_by_parser(raw_table: RawTable, content: bytes, path: Path) -> Outcome:
    """Write content with the source's Python parser alone (the reference)."""

    def write() -> None:
        records = raw_table.parse(content, LOCATION)
        raw_store.write_records(
            records,
            raw_table.schema,
            path,
            location=LOCATION,
            required=raw_table.required,
            **PROVENANCE,
        )

    return outcome_of(write, path)


def assert_same_outcome(native: Outcome, python: Outcome) -> None:
    """Both ways failed with the same error, or wrote equal schemas and equal rows in order."""
    assert native[0] == python[0], (native, python)
    if native[0] != "written":
        assert native[1] == python[1]
        return
    assert native[1].schema.equals(python[1].schema, check_metadata=True)
    assert native[1].equals(python[1])


# Fixtures that plant schema drift on purpose (see tests/test_schema_drift.py): DuckDB does
# not read them, the Python parser keeps what drifts in `_extra`.
DRIFTING_FIXTURES = {
    "data/MultiWOZ_2.2/train/dialogues_001.json": {("turns[].emotion", "unknown key"): 1},
    "TM-2-2020/data/flights.json": {
        ("utterances[].segments[].start_index", "other type"): 1,
    },
}


@pytest.mark.parametrize(
    ("dataset_id", "file"),
    native_fixture_files(),
    ids=lambda value: value if isinstance(value, str) else value.path,
)
def test_native_reader_writes_what_the_python_parser_writes(dataset_id, file, tmp_path):
    raw_table = parser_for(dataset_id).TABLES[file.table]
    content = (FIXTURE_UPSTREAM / file.mirror_folder / file.path).read_bytes()
    drifts = file.path in DRIFTING_FIXTURES

    native = write_as_ingest(
        raw_table, content, tmp_path / "native.parquet", "python" if drifts else "duckdb"
    )
    python = write_by_parser(raw_table, content, tmp_path / "python.parquet")
    if drifts:
        written = convert.write_upstream_file(
            raw_table, content, tmp_path / "again.parquet", location=LOCATION, **PROVENANCE
        )
        assert dict(written.drift) == DRIFTING_FIXTURES[file.path]

    assert native[0] == "written" and native[1].num_rows > 0
    assert_same_outcome(native, python)


def test_every_json_array_source_has_fixtures_read_natively():
    covered = {dataset_id for dataset_id, _ in native_fixture_files()}
    declared = {
        dataset_id
        for dataset_id in REGISTRY
        if any(table.json_array for table in parser_for(dataset_id).TABLES.values())
    }
    assert covered == declared
    assert {"sgd", "multiwoz22", "woz2", "kvret", "taskmaster4"} <= declared


def sgd_fixture_records() -> list[dict[str, Any]]:
    return json.loads((FIXTURE_UPSTREAM / "sgd" / "train" / "dialogues_001.json").read_text())


def sgd_with(change: Callable[[list[dict[str, Any]]], Any]) -> bytes:
    """The SGD train fixture, changed in place by `change`, as JSON text."""
    records = sgd_fixture_records()
    change(records)
    return json.dumps(records, indent=2, ensure_ascii=False).encode("utf-8")


def first_frame(records: list[dict[str, Any]]) -> dict[str, Any]:
    return records[0]["turns"][0]["frames"][0]


SGD_TEXT = sgd_with(lambda records: None)

# Files DuckDB's read_json (given the schema as `columns`) reads more leniently than the
# Python path: each must go to the Python parser and end as it always did.
LENIENT_CASES = {
    "unknown top-level key": sgd_with(lambda r: r[1].update(rating=5)),
    "unknown nested key": sgd_with(lambda r: first_frame(r).update(dialogue_acts=[])),
    "integer for a string": sgd_with(lambda r: first_frame(r).update(service=5)),
    "integer for the required id": sgd_with(lambda r: r[0].update(dialogue_id=5)),
    "required id missing": sgd_with(lambda r: r[1].pop("dialogue_id")),
    "required id null": sgd_with(lambda r: r[1].update(dialogue_id=None)),
    "float for an integer": sgd_with(lambda r: first_frame(r)["slots"][0].update(start=46.0)),
    "string for an integer": sgd_with(lambda r: first_frame(r)["slots"][0].update(start="46")),
    "boolean for a string": sgd_with(lambda r: r[0]["turns"][0].update(speaker=True)),
    "list for a map": sgd_with(lambda r: first_frame(r)["state"].update(slot_values=[["a"]])),
    "object for a list": sgd_with(lambda r: r[0].update(services={"a": "b"})),
    "integer beyond int64": sgd_with(lambda r: first_frame(r)["slots"][0].update(start=2**63)),
    "trailing comma": SGD_TEXT.replace(b'"Restaurants_1"', b'"Restaurants_1",', 1),
    "null record": b"[null, " + SGD_TEXT[1:],
    "duplicate key": SGD_TEXT.replace(
        b'"dialogue_id": ', b'"dialogue_id": "x", "dialogue_id": ', 1
    ),
    "leading BOM": b"\xef\xbb\xbf" + SGD_TEXT,
    "NaN": SGD_TEXT.replace(b'"start": 46', b'"start": NaN', 1),
    "invalid UTF-8": SGD_TEXT.replace(b"San Jose", b"San Jos\xe9", 1),
    "truncated": SGD_TEXT[: len(SGD_TEXT) // 2],
    "not an array": b'{"dialogue_id": "1_00000"}',
    "empty array": b"[]",
    "empty file": b"",
}


@pytest.mark.parametrize("case", LENIENT_CASES)
def test_what_duckdb_would_read_leniently_goes_to_the_python_parser(case, tmp_path):
    raw_table = sgd.TABLES["dialogues"]
    content = LENIENT_CASES[case]

    ingest = write_as_ingest(raw_table, content, tmp_path / "ingest.parquet", "python")
    python = write_by_parser(raw_table, content, tmp_path / "python.parquet")

    assert_same_outcome(ingest, python)


def test_an_unexpected_key_is_kept_by_the_python_reader(tmp_path):
    raw_table = sgd.TABLES["dialogues"]
    nested = LENIENT_CASES["unknown nested key"]
    status, table = write_as_ingest(raw_table, nested, tmp_path / "x.parquet", "python")
    assert status == "written"
    extras = table.column("_extra").to_pylist()
    assert json.loads(extras[0]) == {"turns[0].frames[0].dialogue_acts": []}
    assert extras[1:] == [None] * (table.num_rows - 1)
    top_level = LENIENT_CASES["unknown top-level key"]
    status, table = write_as_ingest(raw_table, top_level, tmp_path / "y.parquet", "python")
    assert json.loads(table.column("_extra").to_pylist()[1]) == {"rating": 5}


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ("integer for the required id", "is an integer ('5'), expected string"),
        ("required id missing", "is missing"),
        ("required id null", "is null"),
    ],
)
def test_a_record_without_its_required_key_stops_the_file_naming_the_record(
    case, problem, tmp_path
):
    raw_table = sgd.TABLES["dialogues"]
    status, message = write_as_ingest(
        raw_table, LENIENT_CASES[case], tmp_path / "x.parquet", "python"
    )
    record = 0 if "integer" in case else 1
    assert status == "RawRecordError"
    assert message.startswith(
        f"{LOCATION}: record {record} (0-based): required key 'dialogue_id' {problem};"
    )


def test_required_keys_are_checked_under_objects_too(tmp_path):
    schema = pa.schema(
        [
            pa.field("scenario", pa.struct([pa.field("uuid", pa.string())])),
            pa.field("x", pa.int64()),
        ]
    )

    def write(records: list[dict], file_name: str, drift=None) -> int:
        return raw_store.write_records(
            records,
            schema,
            tmp_path / file_name,
            location="f",
            required=("scenario.uuid",),
            source_path="f",
            upstream_split=None,
            locale="en",
            drift=drift,
        )

    records = [{"scenario": {"uuid": "a"}, "x": 1}, {"scenario": {}, "x": 2}]
    with pytest.raises(
        raw_store.RawRecordError,
        match=r"record 1 \(0-based\): required key "
        r"'scenario.uuid' is missing",
    ):
        write(records, "x.parquet")
    # Anything else undeclared is still drift, kept: only the identity is required.
    drift = raw_store.SchemaDrift()
    written = write([{"scenario": {"uuid": "a", "new": 1}, "x": "2"}], "y.parquet", drift)
    assert written == 1
    assert dict(drift) == {("scenario.new", "unknown key"): 1, ("x", "other type"): 1}


def multiwoz_with_values(values: list[Any]) -> bytes:
    """A MultiWOZ 2.2 dialogue whose one frame has a slot per value (and one without)."""
    slots = [{"slot": "x", "value": value} for value in values] + [{"slot": "no value"}]
    frame = {"service": "taxi", "actions": [], "slots": slots, "state": None}
    turns = [
        {"turn_id": "0", "speaker": "USER", "utterance": "u", "frames": [frame]},
        {"turn_id": "1", "speaker": "SYSTEM", "utterance": "s", "frames": []},
    ]
    dialogues = [
        {"dialogue_id": "a.json", "services": None, "turns": turns},
        {"dialogue_id": "b.json", "turns": None},
    ]
    return json.dumps(dialogues).encode("utf-8")


def test_json_text_fields_get_python_s_json_text_byte_for_byte(tmp_path):
    values = [
        "centre",
        ["pizza hut", "café"],
        'quote " backslash \\ tab \t nul \u0000 unit \u001f del \x7f line \u2028 emoji 😀',
        {"nested": [1, -0.0, 1e5, 0.1, 1.7976931348623157e308, 12345678901234567890123]},
        True,
        None,
        "",
    ]
    content = multiwoz_with_values(values)
    content = content.replace(b"100000.0", b"1E5")  # as upstream might write it
    raw_table = multiwoz22.TABLES["dialogues"]

    native = write_as_ingest(raw_table, content, tmp_path / "native.parquet", "duckdb")
    python = write_by_parser(raw_table, content, tmp_path / "python.parquet")

    assert_same_outcome(native, python)
    slots = native[1].to_pylist()[0]["turns"][0]["frames"][0]["slots"]
    assert slots[1]["value"] == '["pizza hut", "café"]'
    assert slots[5]["value"] is None and slots[7]["value"] is None


def test_json_text_map_values_are_rewritten_too(tmp_path):
    apis = [
        {"name": "find", "index": 0, "args": {"name.movie": ["Mulan", "Up"], "n": 2}},
        {"name": "book", "index": 1, "response": {"status": "ok", "none": None}, "args": {}},
    ]
    utterance = {"index": 0, "speaker": "assistant", "text": "t", "apis": apis}
    dialogue = {"conversation_id": "dlg-1", "vertical": "movie", "utterances": [utterance]}
    content = json.dumps([dialogue], ensure_ascii=False).encode("utf-8")
    raw_table = taskmaster3.TABLES["dialogues"]

    native = write_as_ingest(raw_table, content, tmp_path / "native.parquet", "duckdb")
    python = write_by_parser(raw_table, content, tmp_path / "python.parquet")

    assert_same_outcome(native, python)


def test_native_batches_are_bounded_and_keep_the_record_index(tmp_path, monkeypatch):
    monkeypatch.setattr(raw_store, "CHUNK_RECORDS", 2)
    records = [dict(record, dialogue_id=f"1_{i:05}") for i in range(5) for record in [{}]]
    content = json.dumps(records).encode("utf-8")
    raw_table = sgd.TABLES["dialogues"]

    native = write_as_ingest(raw_table, content, tmp_path / "native.parquet", "duckdb")
    python = write_by_parser(raw_table, content, tmp_path / "python.parquet")

    assert_same_outcome(native, python)
    assert pq.ParquetFile(tmp_path / "native.parquet").metadata.num_row_groups == 3
    assert native[1].column("_record_index").to_pylist() == [0, 1, 2, 3, 4]


MIRROR_SAMPLES = [
    ("sgd", "train/dialogues_001.json"),
    ("woz2", "data/woz/woz_validate_de.json"),
    ("kvret", "data/kvret_dev_public.json"),
    ("taskmaster4", "TM-4-2024/data/data_00.json"),
]


@pytest.mark.mirror
@pytest.mark.parametrize(("dataset_id", "path"), MIRROR_SAMPLES)
def test_native_reader_on_real_mirror_files(dataset_id, path, tmp_path):
    mirror = require_mirror()
    file = next(f for f in REGISTRY[dataset_id].files if f.path == path)
    fetched = read_from_mirror(file, mirror)  # verified against the registry's checksum
    raw_table = parser_for(dataset_id).TABLES[file.table]

    native = write_as_ingest(raw_table, fetched.content, tmp_path / "native.parquet", "duckdb")
    python = write_by_parser(raw_table, fetched.content, tmp_path / "python.parquet")

    assert_same_outcome(native, python)
