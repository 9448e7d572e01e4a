"""Trust on first use (ingest.lock_file): downloads from a local HTTP server, KVRET's official
train file in place of the pinned copy, and the command line's --accept-upstream-changes."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ingest.fetch
from ingest.fetch import ChecksumMismatchError, UpstreamChangedError, git_blob_sha1
from ingest.lock_file import LOCK_FILE_NAME, LockFileError, UpstreamLock
from ingest.registry import REGISTRY
from ingest.runner import run_ingest
from tests.http_server import LocalHTTPServer, running_server, served_dataset
from tests.support import FIXTURE_UPSTREAM, require_mirror, run_pipeline_cli

UPSTREAM_PATH = "data/CamRest676.json"
SERVED = f"camrest676/{UPSTREAM_PATH}"
FIRST = b'# banner\n[{"dialogue_id": 0, "dial": [{"turn": 0, "usr": {"transcript": "hi"}}]}]\n'
CHANGED = FIRST.replace(b'"hi"', b'"hello"')


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ingest.fetch, "RETRY_BACKOFF_SECONDS", 0)
    yield from running_server(tmp_path / "www", monkeypatch)


def unpinned(server: LocalHTTPServer):
    """CamRest676 served by the local server, its file without a published checksum."""
    base = REGISTRY["camrest676"]
    files = [dataclasses.replace(base.files[0], git_blob_sha1=None, size=None)]
    return served_dataset(base, server, files)


def lock_rows(data_dir: Path) -> list[list[str]]:
    lines = (data_dir / LOCK_FILE_NAME).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines]


def manifest(data_dir: Path, dataset: str) -> dict[str, dict]:
    return {
        row["source_path"]: row
        for row in pq.read_table(data_dir / "raw" / dataset / "manifest.parquet").to_pylist()
    }


def ingest_into(data_dir: Path, datasets, mirror=None, **options):
    messages: list[str] = []
    reports = run_ingest(
        datasets,
        data_dir / "raw",
        data_dir / "cache",
        mirror,
        progress=messages.append,
        **options,
    )
    return reports, messages


def test_first_use_records_a_change_is_refused_and_accepting_records_it(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server.add_file(SERVED, FIRST)
    dataset = unpinned(server)

    # First use: downloaded, verified against nothing, recorded.
    [report], messages = ingest_into(data_dir, [dataset])

    assert report.records == 1
    [header, row] = lock_rows(data_dir)
    assert header == ["dataset", "path", "git_blob_sha1", "bytes", "replaces", "recorded_at"]
    assert row[:5] == ["camrest676", UPSTREAM_PATH, git_blob_sha1(FIRST), str(len(FIRST)), ""]
    assert manifest(data_dir, "camrest676")[UPSTREAM_PATH]["checksum_source"] == "first use"
    assert any("no published checksum; recorded on first use" in m for m in messages)

    # Upstream changes; a fresh download (an emptied cache) gets other bytes: refused.
    server.add_file(SERVED, CHANGED)
    shutil.rmtree(data_dir / "cache")
    raw_before = sorted(p.name for p in (data_dir / "raw").rglob("*"))

    with pytest.raises(UpstreamChangedError) as raised:
        ingest_into(data_dir, [dataset])

    message = str(raised.value)
    assert f"camrest676 {UPSTREAM_PATH} changed since its first use" in message
    assert server.url_for(SERVED) in message
    assert git_blob_sha1(FIRST) in message and git_blob_sha1(CHANGED) in message
    assert "--accept-upstream-changes" in message
    assert lock_rows(data_dir)[1][2] == git_blob_sha1(FIRST)  # the lock file kept
    assert sorted(p.name for p in (data_dir / "raw").rglob("*")) == raw_before
    assert not (data_dir / "cache" / "camrest676" / UPSTREAM_PATH).exists()

    # Accepted explicitly: the new version is recorded and ingested.
    [report], _ = ingest_into(data_dir, [dataset], accept_upstream_changes=True)

    [_, row] = lock_rows(data_dir)
    assert row[:5] == ["camrest676", UPSTREAM_PATH, git_blob_sha1(CHANGED), str(len(CHANGED)), ""]
    assert manifest(data_dir, "camrest676")[UPSTREAM_PATH]["checksum_source"] == "accepted"
    records = pq.read_table(data_dir / "raw" / "camrest676" / "dialogues").to_pylist()
    assert records[0]["dial"][0]["usr"]["transcript"] == "hello"

    # Later runs verify against the new record, without the option.
    shutil.rmtree(data_dir / "cache")
    [report], _ = ingest_into(data_dir, [dataset], force=True)
    assert manifest(data_dir, "camrest676")[UPSTREAM_PATH]["checksum_source"] == "lock file"
    assert server.request_count(SERVED) == 4


def test_a_malformed_lock_file_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / LOCK_FILE_NAME
    path.write_text(
        "dataset\tpath\tgit_blob_sha1\tbytes\treplaces\trecorded_at\n"
        "camrest676\tdata/CamRest676.json\tabc\tnot a number\t\t2026-01-01T00:00:00+00:00\n",
        encoding="utf-8",
    )
    with pytest.raises(LockFileError, match=rf"{LOCK_FILE_NAME} line 2: expected 6"):
        UpstreamLock(path)


# --- KVRET: the official release instead of the copy the registry pins ----------------------

OFFICIAL_TRAIN = FIXTURE_UPSTREAM / "kvret" / "official-release" / "kvret_train_public.json"
PINNED_TRAIN = FIXTURE_UPSTREAM / "kvret" / "data" / "bckp" / "kvret_train_public.json"
TRAIN_PATH = "data/bckp/kvret_train_public.json"


def kvret_with_fixture_pins():
    """KVRET as registered, every file pinned to its fixture's checksum: train to the
    fixture of the backup copy the registry pins."""
    base = REGISTRY["kvret"]
    files = []
    for file in base.files:
        content = (FIXTURE_UPSTREAM / "kvret" / file.path).read_bytes()
        files.append(
            dataclasses.replace(file, git_blob_sha1=git_blob_sha1(content), size=len(content))
        )
    return dataclasses.replace(base, files=tuple(files))


def mirror_with_official_train(root: Path) -> Path:
    """A mirror holding KVRET's dev and test fixtures and, where the registry's train file
    goes, the official release's train file."""
    shutil.copytree(FIXTURE_UPSTREAM / "kvret", root / "kvret")
    shutil.copyfile(OFFICIAL_TRAIN, root / "kvret" / TRAIN_PATH)
    return root


def test_kvret_s_official_train_file_is_used_once_accepted(tmp_path: Path) -> None:
    assert OFFICIAL_TRAIN.read_bytes() != PINNED_TRAIN.read_bytes()
    mirror = mirror_with_official_train(tmp_path / "mirror")
    data_dir = tmp_path / "data"
    dataset = kvret_with_fixture_pins()
    pinned = dataset.files[0].git_blob_sha1
    assert dataset.files[0].path == TRAIN_PATH

    with pytest.raises(ChecksumMismatchError) as raised:
        ingest_into(data_dir, [dataset], mirror)
    assert f"expected {dataset.files[0].size:,} (kvret {TRAIN_PATH})" in str(raised.value)
    assert "not the upstream version" in str(raised.value)
    assert f"pass --accept-upstream-changes to record its checksum in {data_dir}" in str(
        raised.value
    )

    [report], _ = ingest_into(data_dir, [dataset], mirror, accept_upstream_changes=True)

    official = OFFICIAL_TRAIN.read_bytes()
    [_, row] = lock_rows(data_dir)  # only the train file: dev and test match their pins
    assert row[:5] == ["kvret", TRAIN_PATH, git_blob_sha1(official), str(len(official)), pinned]
    train = manifest(data_dir, "kvret")[TRAIN_PATH]
    assert (train["checksum_source"], train["checksum_verified"]) == ("accepted", False)
    assert train["git_blob_sha1"] == git_blob_sha1(official)
    # The official file holds the same dialogues: the same records as the pinned copy gives.
    written = pq.read_table(data_dir / "raw" / "kvret" / "dialogues" / f"{TRAIN_PATH}.parquet")
    expected = json.loads(PINNED_TRAIN.read_text(encoding="utf-8"))
    assert [r["scenario"]["uuid"] for r in written.to_pylist()] == [
        r["scenario"]["uuid"] for r in expected
    ]

    # Later runs take exactly that file without the option: another one is refused again.
    [again], _ = ingest_into(data_dir, [dataset], mirror, force=True)
    assert manifest(data_dir, "kvret")[TRAIN_PATH]["checksum_source"] == "lock file"
    (mirror / "kvret" / TRAIN_PATH).write_bytes(official.replace(b"dentist", b"doctor"))
    with pytest.raises(ChecksumMismatchError):
        ingest_into(data_dir, [dataset], mirror)
    # And the pinned copy itself is still accepted as the registry's.
    shutil.copyfile(PINNED_TRAIN, mirror / "kvret" / TRAIN_PATH)
    ingest_into(data_dir, [dataset], mirror)
    assert manifest(data_dir, "kvret")[TRAIN_PATH]["checksum_source"] == "registry"


@pytest.mark.mirror
def test_command_line_accepts_kvret_s_official_train_file(tmp_path: Path) -> None:
    """With the registry as it is: dev and test from the real mirror, train the release's."""
    real = require_mirror()
    mirror = tmp_path / "mirror"
    (mirror / "kvret" / "data" / "bckp").mkdir(parents=True)
    for name in ("kvret_dev_public.json", "kvret_test_public.json"):
        (mirror / "kvret" / "data" / name).symlink_to(real / "kvret" / "data" / name)
    shutil.copyfile(OFFICIAL_TRAIN, mirror / "kvret" / TRAIN_PATH)
    data_dir = tmp_path / "data"
    arguments = ("--mirror", str(mirror), "--datasets", "kvret", "--skip-build")

    refused = run_pipeline_cli(*arguments, data_dir=data_dir)

    assert refused.returncode == 1
    last = refused.stderr.strip().splitlines()[-1]
    assert last.startswith("FAILED: ChecksumMismatchError: ")
    assert TRAIN_PATH in last and "--accept-upstream-changes" in last

    accepted = run_pipeline_cli(*arguments, "--accept-upstream-changes", data_dir=data_dir)

    assert accepted.returncode == 0, accepted.stderr
    [_, row] = lock_rows(data_dir)
    assert row[:2] == ["kvret", TRAIN_PATH]
    assert row[4] == REGISTRY["kvret"].files[0].git_blob_sha1  # in place of the pinned copy
    rows = manifest(data_dir, "kvret")
    assert [rows[f.path]["checksum_source"] for f in REGISTRY["kvret"].files] == [
        "accepted",
        "registry",
        "registry",
    ]
    assert run_pipeline_cli(*arguments, data_dir=data_dir).returncode == 0  # no option needed now
