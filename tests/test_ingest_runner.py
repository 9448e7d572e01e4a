"""ingest.runner.run_ingest on a small hand-made CamRest676 file: mirror, cache, download."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

import ingest.fetch
import ingest.runner
from ingest.fetch import ChecksumMismatchError, git_blob_sha1
from ingest.registry import REGISTRY, Dataset, UnknownDatasetError, select_datasets
from ingest.runner import (
    DatasetReport,
    IngestError,
    MissingFilesError,
    ensure_placeholders,
    run_ingest,
)
from ingest.sources import camrest676
from tests.http_server import LocalHTTPServer, running_server, served_dataset

UPSTREAM_PATH = "data/CamRest676.json"
PARQUET_RELATIVE = "dialogues/data/CamRest676.json.parquet"

BANNER = [
    "##############################################",
    "# CamRest676 (test fixture)",
    "# Cambridge restaurant dialogues, hand-made for tests",
    "# Same shape as shawnwun/NNDIAL data/CamRest676.json",
    "##############################################",
]

DIALOGUES: list[dict[str, Any]] = [
    {
        "dialogue_id": 0,
        "finished": True,
        "goal": {
            "constraints": [["food", "italian"], ["pricerange", "cheap"]],
            "request-slots": ["address"],
            "text": "You want a cheap italian restaurant. Ask for the address.",
        },
        "dial": [
            {
                "turn": 0,
                "usr": {
                    "transcript": "I want a cheap italian restaurant",
                    "slu": [
                        {"act": "inform", "slots": [["food", "italian"]]},
                        {"act": "inform", "slots": [["pricerange", "cheap"]]},
                    ],
                },
                "sys": {
                    "sent": "Pizza hut city centre is a cheap italian place.",
                    "DA": ["pizza hut city centre"],
                },
            },
            {
                "turn": 1,
                "usr": {
                    "transcript": "What is the address?",
                    "slu": [{"act": "request", "slots": [["slot", "address"]]}],
                },
                "sys": {
                    "sent": "It is at Regent Street City Centre.",
                    "DA": ["address", ["name", "pizza hut city centre"]],
                },
            },
        ],
    },
    {
        "dialogue_id": 1,
        "finished": False,
        "goal": {
            "constraints": [["area", "north"]],
            "request-slots": [],
            "text": "You want a restaurant in the north.",
        },
        "dial": [
            {
                "turn": 0,
                "usr": {
                    "transcript": "Anything in the north?",
                    "slu": [{"act": "inform", "slots": [["area", "north"]]}],
                },
                "sys": {"sent": "What food would you like?", "DA": ["food"]},
            }
        ],
    },
    {
        "dialogue_id": 2,
        "finished": True,
        "goal": {"constraints": [], "request-slots": ["phone"], "text": "Ask for a phone."},
        "dial": [
            {
                "turn": 0,
                "usr": {"transcript": "café phone please", "slu": []},
                "sys": {"sent": "Which café?", "DA": []},
            }
        ],
    },
]


def camrest_bytes(dialogues: list[dict[str, Any]] = DIALOGUES) -> bytes:
    """The upstream shape: `#` banner lines, then a JSON array of dialogues."""
    body = json.dumps(dialogues, indent=2, ensure_ascii=False)
    return ("\n".join(BANNER) + "\n" + body + "\n").encode("utf-8")


CONTENT = camrest_bytes()


def camrest(content: bytes | None = CONTENT) -> Dataset:
    """The camrest676 registry entry, its file's checksum that of `content` (None: unknown)."""
    base = REGISTRY["camrest676"]
    known = (
        {"git_blob_sha1": git_blob_sha1(content), "size": len(content)}
        if content is not None
        else {"git_blob_sha1": None, "size": None}
    )
    return dataclasses.replace(base, files=(dataclasses.replace(base.files[0], **known),))


def make_mirror(root: Path, content: bytes | None) -> Path:
    """A mirror folder holding `<mirror>/camrest676/data/CamRest676.json` (none if None)."""
    (root / "camrest676").mkdir(parents=True, exist_ok=True)
    if content is not None:
        path = root / "camrest676" / UPSTREAM_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under a folder: bytes, inode and mtime, by relative path."""
    return {
        str(path.relative_to(folder)): (
            path.read_bytes(),
            path.stat().st_ino,
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def manifest_rows(raw: Path) -> list[dict[str, Any]]:
    return pq.read_table(raw / "camrest676" / "manifest.parquet").to_pylist()


def raw_record_count(raw: Path) -> int:
    """Rows DuckDB reads from the dataset's raw Parquet, as the warehouse reads them."""
    glob = f"{raw}/camrest676/dialogues/**/*.parquet"
    [(count,)] = duckdb.sql(f"select count(*) from '{glob}'").fetchall()
    return count


def leftovers(raw: Path) -> list[str]:
    """Temporary folders of the raw store (`.camrest676.ingesting` and the like)."""
    return sorted(path.name for path in raw.iterdir() if path.name.startswith("."))


class Run:
    """run_ingest with the test's folders, its progress messages collected."""

    def __init__(self, tmp_path: Path) -> None:
        self.raw = tmp_path / "raw"
        self.cache = tmp_path / "cache"
        self.messages: list[str] = []

    def __call__(
        self, datasets: list[Dataset], mirror: Path | None, **options: bool
    ) -> list[DatasetReport]:
        self.messages.clear()
        return run_ingest(
            datasets, self.raw, self.cache, mirror, progress=self.messages.append, **options
        )


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "mirror", CONTENT)


@pytest.fixture
def ingested(run: Run, mirror: Path) -> Run:
    """A first successful ingest (registry checksum unknown, so later content may differ)."""
    [report] = run([camrest(None)], mirror)
    assert report.files_ingested == 1
    return run


# --- a successful ingest ------------------------------------------------------------------


def test_ingest_from_mirror_writes_records_and_manifest(run: Run, mirror: Path) -> None:
    [report] = run([camrest()], mirror)

    assert (report.dataset, report.files_ingested, report.files_unchanged) == ("camrest676", 1, 0)
    assert (report.files_missing, report.records, report.complete) == (0, 3, True)

    parquet = run.raw / "camrest676" / PARQUET_RELATIVE
    records = pq.read_table(parquet).to_pylist()
    assert [r["dialogue_id"] for r in records] == [0, 1, 2]
    assert [r["_record_index"] for r in records] == [0, 1, 2]
    assert {r["_source_path"] for r in records} == {UPSTREAM_PATH}
    assert {r["_locale"] for r in records} == {"en"}
    assert {r["_upstream_split"] for r in records} == {None}
    first = records[0]
    assert first["finished"] is True
    assert first["goal"]["constraints"] == [["food", "italian"], ["pricerange", "cheap"]]
    assert first["goal"]["request-slots"] == ["address"]
    assert first["dial"][0]["usr"]["slu"][1] == {
        "act": "inform",
        "slots": [["pricerange", "cheap"]],
    }
    assert json.loads(first["dial"][1]["sys"]["DA"]) == [
        "address",
        ["name", "pizza hut city centre"],
    ]
    assert records[2]["dial"][0]["usr"]["transcript"] == "café phone please"

    [row] = manifest_rows(run.raw)
    assert row["dataset"] == "camrest676"
    assert row["source_path"] == UPSTREAM_PATH
    assert row["upstream_split"] is None
    assert row["locale"] == "en"
    assert row["status"] == "ingested"
    assert row["origin"] == "mirror"
    assert row["location"] == str(mirror / "camrest676" / UPSTREAM_PATH)
    assert row["bytes"] == len(CONTENT)
    assert row["git_blob_sha1"] == git_blob_sha1(CONTENT)
    assert row["checksum_verified"] is True
    assert row["records"] == 3
    assert row["parser_version"] == camrest676.PARSER_VERSION
    assert row["parquet_path"] == PARQUET_RELATIVE
    assert row["ingested_at"] is not None

    assert leftovers(run.raw) == []
    assert raw_record_count(run.raw) == 3


def test_ingest_from_a_gz_copy_in_the_mirror(run: Run, tmp_path: Path) -> None:
    mirror = make_mirror(tmp_path / "gz-mirror", None)
    compressed = mirror / "camrest676" / f"{UPSTREAM_PATH}.gz"
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT))

    [report] = run([camrest()], mirror)

    assert report.records == 3
    [row] = manifest_rows(run.raw)
    assert (row["location"], row["bytes"]) == (str(compressed), len(CONTENT))
    assert row["checksum_verified"] is True


def test_checksum_not_verified_when_registry_does_not_know_it(run: Run, mirror: Path) -> None:
    run([camrest(None)], mirror)

    [row] = manifest_rows(run.raw)
    assert row["status"] == "ingested"
    assert row["checksum_verified"] is False
    assert row["git_blob_sha1"] == git_blob_sha1(CONTENT)


def test_rerun_keeps_the_unchanged_file_and_force_rewrites_it(run: Run, mirror: Path) -> None:
    run([camrest()], mirror)
    parquet = run.raw / "camrest676" / PARQUET_RELATIVE
    before = parquet.stat()

    [report] = run([camrest()], mirror)

    assert (report.files_ingested, report.files_unchanged, report.records) == (0, 1, 3)
    assert any("unchanged" in message for message in run.messages)
    after = parquet.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    [row] = manifest_rows(run.raw)
    assert (row["status"], row["records"]) == ("ingested", 3)

    [forced] = run([camrest()], mirror, force=True)

    assert (forced.files_ingested, forced.files_unchanged, forced.records) == (1, 0, 3)
    assert parquet.stat().st_ino != before.st_ino  # a new file, written afresh
    assert pq.read_table(parquet).num_rows == 3
    assert leftovers(run.raw) == []


class FetchSpy:
    """ingest.runner.fetch, counting the files it reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        self.real = ingest.runner.fetch
        monkeypatch.setattr(ingest.runner, "fetch", self)

    def __call__(self, dataset: Dataset, file: Any, *args: Any, **options: Any) -> Any:
        self.paths.append(file.path)
        return self.real(dataset, file, *args, **options)


def test_unchanged_rerun_reads_no_file(run: Run, mirror: Path, monkeypatch) -> None:
    run([camrest()], mirror)
    parquet = run.raw / "camrest676" / PARQUET_RELATIVE
    before = parquet.stat()
    [first] = manifest_rows(run.raw)
    fetches = FetchSpy(monkeypatch)

    [report] = run([camrest()], mirror)

    assert fetches.paths == []
    assert (report.files_ingested, report.files_unchanged, report.records) == (0, 1, 3)
    assert any("not read again" in message for message in run.messages)
    assert (parquet.stat().st_ino, parquet.stat().st_mtime_ns) == (
        before.st_ino,
        before.st_mtime_ns,
    )
    [row] = manifest_rows(run.raw)
    assert row == first  # what was verified, where, when, and the file's state
    mirrored = mirror / "camrest676" / UPSTREAM_PATH
    state = mirrored.stat()
    assert (row["local_path"], row["local_bytes"]) == (str(mirrored), state.st_size)
    assert (row["local_mtime_ns"], row["local_ctime_ns"]) == (state.st_mtime_ns, state.st_ctime_ns)


def test_a_folder_an_older_version_wrote_is_renamed_not_ingested_again(
    run: Run, mirror: Path, monkeypatch
) -> None:
    """Its `_manifest.parquet` (a name Spark skips) is the previous manifest, renamed."""
    run([camrest()], mirror)
    dataset_dir = run.raw / "camrest676"
    os.rename(dataset_dir / "manifest.parquet", dataset_dir / "_manifest.parquet")
    parquet = dataset_dir / PARQUET_RELATIVE
    before = parquet.stat()
    fetches = FetchSpy(monkeypatch)

    [report] = run([camrest()], mirror)

    assert fetches.paths == []
    assert (report.files_ingested, report.files_unchanged, report.records) == (0, 1, 3)
    assert parquet.stat().st_ino == before.st_ino
    assert not (dataset_dir / "_manifest.parquet").exists()
    assert [row["status"] for row in manifest_rows(run.raw)] == ["ingested"]


def test_a_touched_file_is_read_and_verified_again(run: Run, mirror: Path, monkeypatch) -> None:
    run([camrest()], mirror)
    parquet = run.raw / "camrest676" / PARQUET_RELATIVE
    inode = parquet.stat().st_ino
    mirrored = mirror / "camrest676" / UPSTREAM_PATH
    os.utime(mirrored, ns=(0, mirrored.stat().st_mtime_ns + 1_000_000_000))
    fetches = FetchSpy(monkeypatch)

    [report] = run([camrest()], mirror)

    assert fetches.paths == [UPSTREAM_PATH]
    assert (report.files_ingested, report.files_unchanged) == (0, 1)  # same bytes: kept
    assert parquet.stat().st_ino == inode
    [row] = manifest_rows(run.raw)
    assert row["local_mtime_ns"] == mirrored.stat().st_mtime_ns

    run([camrest()], mirror)

    assert fetches.paths == [UPSTREAM_PATH]  # the new state was recorded: not read again


def test_content_rewritten_with_same_size_and_mtime_is_parsed_again(
    ingested: Run, mirror: Path, monkeypatch
) -> None:
    mirrored = mirror / "camrest676" / UPSTREAM_PATH
    state = mirrored.stat()
    time.sleep(0.05)  # past the file system's timestamp granularity, however coarse
    changed = CONTENT.replace(b"cheap italian restaurant", b"cheap italian ristorante")
    assert len(changed) == len(CONTENT) and changed != CONTENT
    mirrored.write_bytes(changed)
    os.utime(mirrored, ns=(state.st_atime_ns, state.st_mtime_ns))  # as `touch -r` would
    fetches = FetchSpy(monkeypatch)

    # The content changed since its first use: accepted explicitly (see the lock file tests).
    [report] = ingested([camrest(None)], mirror, accept_upstream_changes=True)

    assert fetches.paths == [UPSTREAM_PATH]  # the change time differs
    assert report.files_ingested == 1
    [row] = manifest_rows(ingested.raw)
    assert row["git_blob_sha1"] == git_blob_sha1(changed)
    records = pq.read_table(ingested.raw / "camrest676" / PARQUET_RELATIVE).to_pylist()
    assert records[0]["dial"][0]["usr"]["transcript"] == "I want a cheap italian ristorante"


def test_a_changed_registry_checksum_is_verified_again(
    ingested: Run, mirror: Path, monkeypatch
) -> None:
    [row] = manifest_rows(ingested.raw)
    assert row["checksum_verified"] is False
    fetches = FetchSpy(monkeypatch)

    [report] = ingested([camrest(CONTENT)], mirror)  # the registry learnt the checksum

    assert fetches.paths == [UPSTREAM_PATH]
    assert report.files_unchanged == 1
    [row] = manifest_rows(ingested.raw)
    assert row["checksum_verified"] is True

    other = camrest_bytes(DIALOGUES[:1])
    with pytest.raises(ChecksumMismatchError):  # the registry now expects other bytes
        ingested([camrest(other)], mirror)

    assert fetches.paths == [UPSTREAM_PATH, UPSTREAM_PATH]


def test_force_reads_and_converts_every_file_again(run: Run, mirror: Path, monkeypatch) -> None:
    run([camrest()], mirror)
    fetches = FetchSpy(monkeypatch)

    [report] = run([camrest()], mirror, force=True)

    assert fetches.paths == [UPSTREAM_PATH]
    assert (report.files_ingested, report.files_unchanged) == (1, 0)


def test_a_manifest_without_file_states_reads_the_file_once(
    run: Run, mirror: Path, monkeypatch
) -> None:
    run([camrest()], mirror)
    manifest = run.raw / "camrest676" / "manifest.parquet"
    older = pq.read_table(manifest)
    older = older.drop_columns([n for n in older.column_names if n.startswith("local_")])
    pq.write_table(older, manifest)  # as written before file states were recorded
    fetches = FetchSpy(monkeypatch)

    [report] = run([camrest()], mirror)
    run([camrest()], mirror)

    assert fetches.paths == [UPSTREAM_PATH]
    assert report.files_unchanged == 1


def test_changed_upstream_content_is_parsed_again(ingested: Run, tmp_path: Path) -> None:
    changed = make_mirror(tmp_path / "mirror2", camrest_bytes(DIALOGUES[:2]))

    [report] = ingested([camrest(None)], changed, accept_upstream_changes=True)

    assert (report.files_ingested, report.files_unchanged, report.records) == (1, 0, 2)
    [row] = manifest_rows(ingested.raw)
    assert row["records"] == 2
    assert pq.read_table(ingested.raw / "camrest676" / PARQUET_RELATIVE).num_rows == 2


# --- missing files ------------------------------------------------------------------------


def test_missing_file_fails_before_writing_anything(ingested: Run, tmp_path: Path) -> None:
    before = snapshot(ingested.raw)
    empty = make_mirror(tmp_path / "empty-mirror", None)

    with pytest.raises(MissingFilesError) as raised:
        ingested([camrest()], empty)

    assert UPSTREAM_PATH in str(raised.value)
    assert "camrest676" in str(raised.value)
    assert snapshot(ingested.raw) == before
    assert leftovers(ingested.raw) == []


def test_missing_file_with_allow_partial_is_recorded(run: Run, tmp_path: Path) -> None:
    empty = make_mirror(tmp_path / "empty-mirror", None)

    [report] = run([camrest()], empty, allow_partial=True)

    assert (report.files_ingested, report.files_missing, report.complete) == (0, 1, False)
    [row] = manifest_rows(run.raw)
    assert (row["source_path"], row["status"]) == (UPSTREAM_PATH, "missing")
    assert row["records"] is None
    assert row["origin"] is None
    assert not (run.raw / "camrest676" / PARQUET_RELATIVE).exists()
    assert raw_record_count(run.raw) == 0
    assert leftovers(run.raw) == []


# --- bad upstream content -----------------------------------------------------------------


def test_corrupt_json_fails_and_keeps_the_previous_folder(ingested: Run, tmp_path: Path) -> None:
    before = snapshot(ingested.raw)
    corrupt = make_mirror(tmp_path / "corrupt-mirror", CONTENT[: len(CONTENT) // 2])

    with pytest.raises(IngestError) as raised:
        ingested([camrest(None)], corrupt, accept_upstream_changes=True)

    assert str(corrupt / "camrest676" / UPSTREAM_PATH) in str(raised.value)
    assert "not valid JSON" in str(raised.value)
    assert snapshot(ingested.raw) == before
    assert leftovers(ingested.raw) == []


def test_an_interruption_the_moment_the_work_folder_exists_leaves_nothing(
    ingested: Run, mirror: Path, monkeypatch
) -> None:
    """Ctrl-C (or SIGTERM) landing right after the work folder is made, before anything else."""
    before = snapshot(ingested.raw)
    make_folder = Path.mkdir

    def make_then_interrupt(self: Path, *args, **kwargs) -> None:
        make_folder(self, *args, **kwargs)
        if self.name.startswith(".camrest676.ingesting."):
            raise KeyboardInterrupt

    monkeypatch.setattr(Path, "mkdir", make_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingested([camrest(None)], mirror, force=True)

    assert leftovers(ingested.raw) == []
    assert snapshot(ingested.raw) == before


@pytest.mark.parametrize(
    ("mutate", "key", "path", "value"),
    [
        pytest.param(lambda d: d.update(rating=5), "rating", "rating", 5, id="top-level"),
        pytest.param(
            lambda d: d["goal"].update(venue="x"), "goal.venue", "goal.venue", "x", id="in-goal"
        ),
        pytest.param(
            lambda d: d["dial"][0]["usr"].update(asr=[{"p": 1}]),
            "dial[].usr.asr",
            "dial[0].usr.asr",
            [{"p": 1}],
            id="in-turn",
        ),
    ],
)
def test_an_unexpected_key_is_kept_in_extra_and_counted(
    run: Run, tmp_path: Path, mutate: Any, key: str, path: str, value: Any
) -> None:
    dialogues = json.loads(json.dumps(DIALOGUES))
    mutate(dialogues[1])
    odd = make_mirror(tmp_path / "odd-mirror", camrest_bytes(dialogues))

    [report] = run([camrest(None)], odd)

    assert report.records == 3  # nothing dropped
    records = pq.read_table(run.raw / "camrest676" / PARQUET_RELATIVE).to_pylist()
    assert [json.loads(r["_extra"]) if r["_extra"] else None for r in records] == [
        None,
        {path: value},
        None,
    ]
    # The declared part of the record is kept as before.
    assert (
        records[1]["dial"][0]["usr"]["transcript"] == DIALOGUES[1]["dial"][0]["usr"]["transcript"]
    )
    [row] = manifest_rows(run.raw)
    assert row["schema_drift"] == [{"key": key, "kind": "unknown key", "records": 1}]
    assert any(f"unknown key {key} in 1 record(s)" in message for message in run.messages)
    assert leftovers(run.raw) == []


def test_a_value_of_another_type_is_kept_in_extra(run: Run, tmp_path: Path) -> None:
    dialogues = json.loads(json.dumps(DIALOGUES))
    dialogues[0]["finished"] = "yes"  # a boolean upstream
    dialogues[2]["dial"][0]["turn"] = "0"  # an integer upstream
    odd = make_mirror(tmp_path / "odd-mirror", camrest_bytes(dialogues))

    [report] = run([camrest(None)], odd)

    records = pq.read_table(run.raw / "camrest676" / PARQUET_RELATIVE).to_pylist()
    assert report.records == 3
    assert (records[0]["finished"], json.loads(records[0]["_extra"])) == (None, {"finished": "yes"})
    assert records[2]["dial"][0]["turn"] is None
    assert json.loads(records[2]["_extra"]) == {"dial[0].turn": "0"}
    [row] = manifest_rows(run.raw)
    assert row["schema_drift"] == [
        {"key": "dial[].turn", "kind": "other type", "records": 1},
        {"key": "finished", "kind": "other type", "records": 1},
    ]


def test_a_dialogue_without_its_id_stops_the_dataset_naming_file_and_record(
    ingested: Run, tmp_path: Path
) -> None:
    before = snapshot(ingested.raw)
    dialogues = json.loads(json.dumps(DIALOGUES))
    del dialogues[2]["dialogue_id"]
    odd = make_mirror(tmp_path / "odd-mirror", camrest_bytes(dialogues))

    with pytest.raises(IngestError) as raised:
        ingested([camrest(None)], odd, accept_upstream_changes=True)

    assert str(raised.value).startswith(
        f"{odd / 'camrest676' / UPSTREAM_PATH}: record 2 (0-based): required key "
        "'dialogue_id' is missing"
    )
    assert snapshot(ingested.raw) == before  # nothing written
    assert leftovers(ingested.raw) == []


def test_top_level_not_an_array_fails_naming_the_file(run: Run, tmp_path: Path) -> None:
    odd = make_mirror(tmp_path / "odd-mirror", b'# banner\n{"dialogue_id": 0}\n')

    with pytest.raises(IngestError) as raised:
        run([camrest(None)], odd)

    assert str(odd / "camrest676" / UPSTREAM_PATH) in str(raised.value)
    assert not (run.raw / "camrest676").exists()
    assert leftovers(run.raw) == []


def test_wrong_checksum_in_mirror_fails(ingested: Run, tmp_path: Path) -> None:
    before = snapshot(ingested.raw)
    other = make_mirror(tmp_path / "other-mirror", camrest_bytes(DIALOGUES[:1]))

    with pytest.raises(ChecksumMismatchError) as raised:
        ingested([camrest(CONTENT)], other)

    assert str(other / "camrest676" / UPSTREAM_PATH) in str(raised.value)
    assert snapshot(ingested.raw) == before
    assert leftovers(ingested.raw) == []


def test_nonexistent_mirror_folder_fails(run: Run, tmp_path: Path) -> None:
    absent = tmp_path / "no-such-mirror"

    with pytest.raises(IngestError) as raised:
        run([camrest()], absent)

    assert str(absent) in str(raised.value)
    assert not run.raw.exists()


def test_unknown_dataset_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownDatasetError) as raised:
        select_datasets(["camrest676", "nope"])

    message = str(raised.value)
    assert "'nope'" in message
    for known in REGISTRY:
        assert known in message


def test_select_datasets_keeps_order_and_drops_duplicates() -> None:
    chosen = select_datasets(["woz2", "camrest676", "woz2"])
    assert [d.id for d in chosen] == ["woz2", "camrest676"]
    assert [d.id for d in select_datasets(None)] == list(REGISTRY)


# --- placeholders -------------------------------------------------------------------------


def test_ensure_placeholders_creates_an_empty_typed_folder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"

    created = ensure_placeholders([REGISTRY["camrest676"]], raw)

    assert created == ["camrest676"]
    assert raw_record_count(raw) == 0
    described = duckdb.sql(f"describe select * from '{raw}/camrest676/dialogues/**/*.parquet'")
    columns = {name: column_type for name, column_type, *_ in described.fetchall()}
    assert columns["dialogue_id"] == "BIGINT"
    assert columns["_source_path"] == "VARCHAR"
    assert "dial" in columns and "goal" in columns
    assert pq.read_table(raw / "camrest676" / "manifest.parquet").num_rows == 0
    assert leftovers(raw) == []

    assert ensure_placeholders([REGISTRY["camrest676"]], raw) == []


def test_ensure_placeholders_leaves_an_ingested_dataset_alone(ingested: Run) -> None:
    before = snapshot(ingested.raw)

    assert ensure_placeholders([REGISTRY["camrest676"]], ingested.raw) == []

    assert snapshot(ingested.raw) == before


def test_ensure_placeholders_renames_an_older_folder_instead_of_emptying_it(
    ingested: Run,
) -> None:
    dataset_dir = ingested.raw / "camrest676"
    os.rename(dataset_dir / "manifest.parquet", dataset_dir / "_manifest.parquet")
    before = snapshot(ingested.raw)

    assert ensure_placeholders([REGISTRY["camrest676"]], ingested.raw) == []

    after = snapshot(ingested.raw)
    assert after.pop("camrest676/manifest.parquet") == before.pop("camrest676/_manifest.parquet")
    assert after == before
    assert raw_record_count(ingested.raw) == 3


def test_ensure_placeholders_renames_an_older_placeholder(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    ensure_placeholders([REGISTRY["camrest676"]], raw)
    renames = {
        "camrest676/_manifest.parquet": "camrest676/manifest.parquet",
        "camrest676/dialogues/_no_records.parquet": "camrest676/dialogues/no_records.parquet",
    }
    for old, new in renames.items():
        os.rename(raw / new, raw / old)
    before = snapshot(raw)

    assert ensure_placeholders([REGISTRY["camrest676"]], raw) == []

    assert snapshot(raw) == {new: before[old] for old, new in renames.items()}
    assert raw_record_count(raw) == 0


def test_ingest_over_a_placeholder_replaces_it(run: Run, mirror: Path) -> None:
    ensure_placeholders([REGISTRY["camrest676"]], run.raw)

    run([camrest()], mirror)

    assert raw_record_count(run.raw) == 3
    assert not (run.raw / "camrest676" / "dialogues" / "no_records.parquet").exists()


# --- the download path --------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ingest.fetch, "RETRY_BACKOFF_SECONDS", 0)
    monkeypatch.setattr(ingest.fetch, "DOWNLOAD_TIMEOUT_SECONDS", 10)
    yield from running_server(tmp_path / "www", monkeypatch)


def test_download_path_through_run_ingest(
    run: Run, server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = f"camrest676/{UPSTREAM_PATH}"
    server.add_file(served, CONTENT)
    dataset = served_dataset(REGISTRY["camrest676"], server, camrest().files)

    [report] = run([dataset], None)

    assert (report.files_ingested, report.records, report.complete) == (1, 3, True)
    cached = run.cache / "camrest676" / UPSTREAM_PATH
    assert cached.read_bytes() == CONTENT
    assert server.request_count(served) == 1  # the availability check downloaded it once
    [row] = manifest_rows(run.raw)
    assert row["status"] == "ingested"
    assert row["checksum_verified"] is True
    assert row["git_blob_sha1"] == git_blob_sha1(CONTENT)
    # The availability check downloads into the cache, so the ingest itself reads the cache.
    assert (row["origin"], row["location"]) == ("cache", str(cached))
    assert raw_record_count(run.raw) == 3

    fetches = FetchSpy(monkeypatch)
    [again] = run([dataset], None)

    assert (again.files_ingested, again.files_unchanged) == (0, 1)
    assert server.request_count(served) == 1  # the cache answered
    assert fetches.paths == []  # and was not even read: it is as the first run left it
    [row] = manifest_rows(run.raw)
    assert (row["origin"], row["location"]) == ("cache", str(cached))
    assert row["local_path"] == str(cached)


def test_download_path_404_is_a_missing_file(run: Run, server: LocalHTTPServer) -> None:
    dataset = served_dataset(REGISTRY["camrest676"], server, camrest().files)

    with pytest.raises(MissingFilesError) as raised:
        run([dataset], None)

    assert UPSTREAM_PATH in str(raised.value)
    assert not run.raw.exists()

    [report] = run([dataset], None, allow_partial=True)

    assert report.files_missing == 1
    [row] = manifest_rows(run.raw)
    assert row["status"] == "missing"


def test_download_path_retries_a_server_error(run: Run, server: LocalHTTPServer) -> None:
    served = f"camrest676/{UPSTREAM_PATH}"
    server.add_file(served, CONTENT)
    server.fail(served, status=500, times=1)
    dataset = served_dataset(REGISTRY["camrest676"], server, camrest().files)

    [report] = run([dataset], None)

    assert report.records == 3
    assert server.request_count(served) == 2


def test_files_converted_several_at_a_time_give_the_same_raw_data(tmp_path, monkeypatch):
    """Raw Parquet rows and manifest rows (in registry order) do not depend on how many files
    the ingest converts at a time."""
    from tests.support import FIXTURE_UPSTREAM, fixture_dataset

    datasets = [fixture_dataset(dataset_id) for dataset_id in ("sgd", "woz2", "banking77")]
    outputs = {}
    for workers in ("1", "4"):
        monkeypatch.setenv(ingest.runner.INGEST_WORKERS_VARIABLE, workers)
        raw = tmp_path / workers / "raw"
        run_ingest(datasets, raw, tmp_path / workers / "cache", FIXTURE_UPSTREAM, progress=print)
        with duckdb.connect() as connection:
            outputs[workers] = {
                dataset.id: (
                    connection.execute(
                        "select * exclude (filename) from read_parquet(?, filename = true, union_by_name = true) "
                        "order by all",
                        [str(raw / dataset.id / "*" / "**" / "*.parquet")],
                    ).fetchall(),
                    connection.execute(
                        "select source_path, status, git_blob_sha1, records, parquet_path "
                        "from read_parquet(?)",
                        [str(raw / dataset.id / "manifest.parquet")],
                    ).fetchall(),
                )
                for dataset in datasets
            }
    assert outputs["1"] == outputs["4"]
    for dataset in datasets:
        rows, manifest = outputs["4"][dataset.id]
        assert rows and [entry[0] for entry in manifest] == [file.path for file in dataset.files]
