"""ingest.fetch: downloads (against a local HTTP server only), the cache, the mirror."""

from __future__ import annotations

import dataclasses
import gzip
import os
import subprocess
import time
from pathlib import Path

import pytest

import ingest.fetch
from ingest.fetch import (
    ChecksumMismatchError,
    FetchError,
    MissingUpstreamFileError,
    download_with_cache,
    fetch,
    git_blob_sha1,
    local_file,
    local_file_state,
    read_from_mirror,
)
from ingest.registry import REGISTRY, UpstreamFile
from tests.http_server import LocalHTTPServer, ServedDataset, running_server, served_dataset

CONTENT = b'# banner\n[{"dialogue_id": 0}]\n' + bytes(range(256)) * 40
SERVED_PATH = "camrest676/data/CamRest676.json"  # /<dataset>/<upstream path> on the server


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest.fetch, "RETRY_BACKOFF_SECONDS", 0)
    monkeypatch.setattr(ingest.fetch, "DOWNLOAD_TIMEOUT_SECONDS", 10)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield from running_server(tmp_path / "www", monkeypatch)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def upstream_file(content: bytes = CONTENT, **changes: object) -> UpstreamFile:
    """The camrest676 registry file, with the checksum and size of `content` by default."""
    base = REGISTRY["camrest676"].files[0]
    known = {"git_blob_sha1": git_blob_sha1(content), "size": len(content)}
    return dataclasses.replace(base, **{**known, **changes})


def dataset_for(server: LocalHTTPServer, file: UpstreamFile) -> ServedDataset:
    return served_dataset(REGISTRY["camrest676"], server, [file])


def files_under(folder: Path) -> list[Path]:
    """Every file (temporary ones included) under a folder, [] if it does not exist."""
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


# --- downloads ----------------------------------------------------------------------------


def test_served_dataset_points_at_the_local_server(server: LocalHTTPServer) -> None:
    file = upstream_file()
    url = dataset_for(server, file).url(file)
    assert url == server.url_for(SERVED_PATH)
    assert url.startswith("http://127.0.0.1:")


def test_download_lands_in_cache_verified(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()
    dataset = dataset_for(server, file)

    fetched = download_with_cache(dataset, file, cache)

    cached = cache / "camrest676" / "data" / "CamRest676.json"
    assert fetched.origin == "download"
    assert fetched.location == dataset.url(file)
    assert fetched.content == CONTENT
    assert fetched.git_blob_sha1 == git_blob_sha1(CONTENT)
    assert fetched.checksum_verified is True
    assert cached.read_bytes() == CONTENT
    assert files_under(cache) == [cached]  # no temporary file left beside it
    assert server.request_count(SERVED_PATH) == 1


def test_download_without_registry_checksum_is_not_verified(
    server: LocalHTTPServer, cache: Path
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file(git_blob_sha1=None, size=None)

    fetched = download_with_cache(dataset_for(server, file), file, cache)

    assert fetched.origin == "download"
    assert fetched.checksum_verified is False
    assert fetched.git_blob_sha1 == git_blob_sha1(CONTENT)


def test_second_call_is_a_cache_hit(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()
    dataset = dataset_for(server, file)
    download_with_cache(dataset, file, cache)

    again = download_with_cache(dataset, file, cache)

    assert again.origin == "cache"
    assert again.location == str(cache / "camrest676" / "data" / "CamRest676.json")
    assert again.content == CONTENT
    assert again.checksum_verified is True
    assert server.request_count(SERVED_PATH) == 1  # the server saw no second request


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param({"git_blob_sha1": "0" * 40}, id="sha1"),
        pytest.param({"size": len(CONTENT) + 1}, id="size"),
    ],
)
def test_wrong_checksum_raises_checksum_mismatch_and_caches_nothing(
    server: LocalHTTPServer, cache: Path, wrong: dict[str, object]
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file(**wrong)
    dataset = dataset_for(server, file)

    with pytest.raises(FetchError) as raised:
        download_with_cache(dataset, file, cache)

    assert dataset.url(file) in str(raised.value)
    assert "data/CamRest676.json" in str(raised.value)
    assert files_under(cache) == []  # neither the file nor a .part temporary file
    # A checksum mismatch must reach the caller as such, not as a generic FetchError.
    assert isinstance(raised.value, ChecksumMismatchError), (
        "BUG in ingest.fetch.download_with_cache: a download that fails verification is "
        "re-raised after the retries as a plain FetchError, losing ChecksumMismatchError "
        f"(got {type(raised.value).__name__}: {raised.value})"
    )


def test_truncated_body_raises_fetch_error_after_retries(
    server: LocalHTTPServer, cache: Path
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    server.truncate(SERVED_PATH)  # every attempt
    file = upstream_file()
    dataset = dataset_for(server, file)

    with pytest.raises(FetchError) as raised:
        download_with_cache(dataset, file, cache)

    message = str(raised.value)
    assert dataset.url(file) in message
    assert "truncated" in message
    assert f"after {ingest.fetch.DOWNLOAD_ATTEMPTS} attempts" in message
    assert server.request_count(SERVED_PATH) == ingest.fetch.DOWNLOAD_ATTEMPTS
    assert files_under(cache) == []


def test_truncated_body_then_full_body_succeeds(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    server.truncate(SERVED_PATH, times=1)
    file = upstream_file(git_blob_sha1=None, size=None)  # only Content-Length catches it

    fetched = download_with_cache(dataset_for(server, file), file, cache)

    assert fetched.content == CONTENT
    assert server.request_count(SERVED_PATH) == 2
    assert (cache / "camrest676" / "data" / "CamRest676.json").read_bytes() == CONTENT


def test_404_raises_missing_upstream_file_without_retrying(
    server: LocalHTTPServer, cache: Path
) -> None:
    file = upstream_file()  # nothing served at its path
    dataset = dataset_for(server, file)

    with pytest.raises(MissingUpstreamFileError) as raised:
        download_with_cache(dataset, file, cache)

    assert dataset.url(file) in str(raised.value)
    assert "404" in str(raised.value)
    assert server.request_count(SERVED_PATH) == 1
    assert files_under(cache) == []


def test_500_then_success_is_retried(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    server.fail(SERVED_PATH, status=500, times=2)
    file = upstream_file()

    fetched = download_with_cache(dataset_for(server, file), file, cache)

    assert fetched.origin == "download"
    assert fetched.content == CONTENT
    assert server.request_count(SERVED_PATH) == 3
    assert (cache / "camrest676" / "data" / "CamRest676.json").read_bytes() == CONTENT


def test_persistent_500_gives_up_after_all_attempts(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    server.fail(SERVED_PATH, status=503, times=10)
    file = upstream_file()
    dataset = dataset_for(server, file)

    with pytest.raises(FetchError) as raised:
        download_with_cache(dataset, file, cache)

    assert not isinstance(raised.value, MissingUpstreamFileError)
    assert dataset.url(file) in str(raised.value)
    assert server.request_count(SERVED_PATH) == ingest.fetch.DOWNLOAD_ATTEMPTS
    assert files_under(cache) == []


def test_other_4xx_fails_without_retrying(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    server.fail(SERVED_PATH, status=403, times=10)
    file = upstream_file()
    dataset = dataset_for(server, file)

    with pytest.raises(FetchError, match="HTTP 403") as raised:
        download_with_cache(dataset, file, cache)

    assert not isinstance(raised.value, MissingUpstreamFileError)
    assert dataset.url(file) in str(raised.value)
    assert server.request_count(SERVED_PATH) == 1


@pytest.mark.parametrize(
    "cached_content",
    [CONTENT[:-10] + b"0123456789", CONTENT[:100]],
    ids=["right size, wrong bytes", "truncated"],
)
def test_damaged_cache_entry_is_downloaded_again(
    server: LocalHTTPServer, cache: Path, cached_content: bytes
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()
    cached = cache / "camrest676" / "data" / "CamRest676.json"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(cached_content)

    fetched = download_with_cache(dataset_for(server, file), file, cache)

    assert fetched.origin == "download"
    assert fetched.content == CONTENT
    assert cached.read_bytes() == CONTENT
    assert server.request_count(SERVED_PATH) == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"hello\n", "café ☕\n".encode(), bytes(range(256)) * 3, CONTENT],
    ids=["empty", "text", "utf8", "binary", "larger"],
)
def test_git_blob_sha1_matches_git_hash_object(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blob"
    path.write_bytes(content)
    result = subprocess.run(
        ["git", "hash-object", "--no-filters", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert git_blob_sha1(content) == result.stdout.strip()


# --- the mirror ---------------------------------------------------------------------------


def mirror_path(mirror: Path) -> Path:
    return mirror / "camrest676" / "data" / "CamRest676.json"


def test_mirror_plain_file(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    plain = mirror_path(mirror)
    plain.parent.mkdir(parents=True)
    plain.write_bytes(CONTENT)

    fetched = read_from_mirror(upstream_file(), mirror)

    assert fetched.origin == "mirror"
    assert fetched.location == str(plain)
    assert fetched.content == CONTENT
    assert fetched.checksum_verified is True
    assert fetched.local == local_file_state(plain)
    assert (fetched.local.path, fetched.local.size) == (str(plain), len(CONTENT))


def test_mirror_gz_file_is_decompressed_and_verified(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    compressed = mirror_path(mirror).with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT))

    fetched = read_from_mirror(upstream_file(), mirror)

    assert fetched.origin == "mirror"
    assert fetched.location == str(compressed)
    assert fetched.content == CONTENT
    assert fetched.git_blob_sha1 == git_blob_sha1(CONTENT)
    assert fetched.checksum_verified is True
    # The state is that of the file read, the compressed one.
    assert fetched.local == local_file_state(compressed)
    assert fetched.local.size == compressed.stat().st_size


def test_mirror_gz_with_wrong_content_raises_checksum_mismatch(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    compressed = mirror_path(mirror).with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT + b"extra"))

    with pytest.raises(ChecksumMismatchError) as raised:
        read_from_mirror(upstream_file(), mirror)

    assert str(compressed) in str(raised.value)


def test_mirror_wrong_checksum_raises_checksum_mismatch(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    plain = mirror_path(mirror)
    plain.parent.mkdir(parents=True)
    plain.write_bytes(CONTENT)

    with pytest.raises(ChecksumMismatchError) as raised:
        read_from_mirror(upstream_file(git_blob_sha1="f" * 40), mirror)

    assert str(plain) in str(raised.value)


def test_file_absent_from_mirror_raises_missing(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "camrest676").mkdir(parents=True)

    with pytest.raises(MissingUpstreamFileError) as raised:
        read_from_mirror(upstream_file(), mirror)

    assert str(mirror_path(mirror)) in str(raised.value)


def test_corrupt_gz_in_mirror_raises_fetch_error(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    compressed = mirror_path(mirror).with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT)[:-20])  # cut short

    with pytest.raises(FetchError) as raised:
        read_from_mirror(upstream_file(), mirror)

    assert str(compressed) in str(raised.value)


def test_not_gzip_at_all_in_mirror_raises_fetch_error(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    compressed = mirror_path(mirror).with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(b"this is not gzip")

    with pytest.raises(FetchError) as raised:
        read_from_mirror(upstream_file(), mirror)

    assert str(compressed) in str(raised.value)


def test_fetch_with_mirror_never_downloads(
    server: LocalHTTPServer, cache: Path, tmp_path: Path
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    mirror = tmp_path / "mirror"
    (mirror / "camrest676").mkdir(parents=True)
    file = upstream_file()

    with pytest.raises(MissingUpstreamFileError):
        fetch(dataset_for(server, file), file, mirror, cache)

    assert server.requests == []
    assert files_under(cache) == []


def test_fetch_without_mirror_downloads(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()

    fetched = fetch(dataset_for(server, file), file, None, cache)

    assert fetched.origin == "download"
    assert fetched.content == CONTENT


def test_manual_download_dataset_names_how_to_get_the_file(tmp_path):
    from ingest.fetch import MissingUpstreamFileError, download_with_cache

    frames = REGISTRY["frames"]
    with pytest.raises(
        MissingUpstreamFileError, match=r"frames\.json: Frames has no stable download URL"
    ):
        download_with_cache(frames, frames.files[0], tmp_path)
    cached = tmp_path / "frames" / "frames.json"
    cached.parent.mkdir(parents=True)
    cached.write_text("[]", encoding="utf-8")
    assert download_with_cache(frames, frames.files[0], tmp_path).origin == "cache"


# --- the local file a rerun checks without reading it ---------------------------------------


def test_local_file_is_the_one_fetch_would_read(tmp_path: Path, cache: Path) -> None:
    mirror = tmp_path / "mirror"
    file = upstream_file()
    assert local_file(file, mirror, cache) is None
    plain = mirror_path(mirror)
    compressed = plain.with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT))
    assert local_file(file, mirror, cache) == compressed
    plain.write_bytes(CONTENT)
    assert local_file(file, mirror, cache) == plain  # the plain copy wins, as in fetch

    cached = cache / "camrest676" / "data" / "CamRest676.json"
    assert local_file(file, None, cache) is None
    cached.parent.mkdir(parents=True)
    cached.write_bytes(CONTENT)
    assert local_file(file, None, cache) == cached


def test_local_file_state_changes_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    assert local_file_state(path) is None
    assert local_file_state(None) is None
    path.write_bytes(b"[1]")
    before = local_file_state(path)
    assert before is not None and before.size == 3
    assert local_file_state(path) == before

    stat = path.stat()
    time.sleep(0.05)  # past the file system's timestamp granularity, however coarse
    path.write_bytes(b"[2]")  # same size, and the modification time set back
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    after = local_file_state(path)
    assert after is not None and (after.size, after.mtime_ns) == (before.size, before.mtime_ns)
    assert after != before  # the change time still tells


def test_downloads_and_cache_hits_carry_the_cache_file_state(
    server: LocalHTTPServer, cache: Path
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()
    dataset = dataset_for(server, file)
    cached = cache / "camrest676" / "data" / "CamRest676.json"

    downloaded = download_with_cache(dataset, file, cache)
    again = download_with_cache(dataset, file, cache)

    assert downloaded.local == local_file_state(cached) == again.local
    assert again.local.size == len(CONTENT)


# --- large files stay on disk (in_memory=False) ---------------------------------------------


def test_mirror_file_left_on_disk_is_verified_and_opened(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    plain = mirror_path(mirror)
    plain.parent.mkdir(parents=True)
    plain.write_bytes(CONTENT)

    fetched = read_from_mirror(upstream_file(), mirror, in_memory=False)

    assert fetched.data is None  # not read into memory
    assert (fetched.size, fetched.git_blob_sha1) == (len(CONTENT), git_blob_sha1(CONTENT))
    assert fetched.checksum_verified is True
    with fetched.open() as stream:
        assert stream.seekable()
        assert stream.read() == CONTENT
    with pytest.raises(ChecksumMismatchError):
        read_from_mirror(upstream_file(git_blob_sha1="f" * 40), mirror, in_memory=False)


def test_gz_mirror_copy_left_on_disk_is_decompressed_as_it_is_read(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    compressed = mirror_path(mirror).with_name("CamRest676.json.gz")
    compressed.parent.mkdir(parents=True)
    compressed.write_bytes(gzip.compress(CONTENT))

    fetched = read_from_mirror(upstream_file(), mirror, in_memory=False)

    assert fetched.data is None and fetched.size == len(CONTENT)
    assert fetched.local == local_file_state(compressed)
    with fetched.open() as stream:
        stream.seek(len(CONTENT) - 10)
        assert stream.read() == CONTENT[-10:]  # seekable, as a zip reader needs
    compressed.write_bytes(gzip.compress(CONTENT)[:-20])
    with pytest.raises(FetchError, match="not a readable gzip file"):
        read_from_mirror(upstream_file(), mirror, in_memory=False)


def test_download_left_on_disk_streams_into_the_cache(server: LocalHTTPServer, cache: Path) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file()
    dataset = dataset_for(server, file)

    fetched = download_with_cache(dataset, file, cache, in_memory=False)

    cached = cache / "camrest676" / "data" / "CamRest676.json"
    assert (fetched.origin, fetched.data, fetched.size) == ("download", None, len(CONTENT))
    assert fetched.checksum_verified is True
    assert files_under(cache) == [cached]
    with fetched.open() as stream:
        assert stream.read() == CONTENT
    again = download_with_cache(dataset, file, cache, in_memory=False)
    assert (again.origin, again.data, again.git_blob_sha1) == (
        "cache",
        None,
        git_blob_sha1(CONTENT),
    )
    assert server.request_count(SERVED_PATH) == 1


def test_a_download_failing_verification_leaves_no_temporary_file(
    server: LocalHTTPServer, cache: Path
) -> None:
    server.add_file(SERVED_PATH, CONTENT)
    file = upstream_file(git_blob_sha1="0" * 40)

    with pytest.raises(ChecksumMismatchError):
        download_with_cache(dataset_for(server, file), file, cache, in_memory=False)

    assert files_under(cache) == []


def test_git_blob_sha1_of_a_stream_equals_that_of_the_bytes(tmp_path: Path) -> None:
    content = bytes(range(256)) * 5000  # several read chunks
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest.fetch, "CHUNK_BYTES", 1000)
        path = tmp_path / "blob"
        path.write_bytes(content)
        with path.open("rb") as stream:
            assert ingest.fetch.git_blob_sha1_of_stream(stream, len(content)) == git_blob_sha1(
                content
            )
        with path.open("rb") as stream, pytest.raises(FetchError, match="expected"):
            ingest.fetch.git_blob_sha1_of_stream(stream, len(content) + 1)
