"""Getting upstream files: from a local mirror, from the download cache, or by download.

Every file that comes back has been verified against the registry's size and git blob
SHA-1 where the registry knows them. Downloads are written to a temporary file and
renamed into the cache only once complete and verified, so the cache never holds a
partial or wrong file.

Each fetched file also carries the state (size, modification and change times) of the local
file its bytes were read from or saved to, taken before reading: the runner records it, and
a later run that finds the same local file in the same state need not read and verify it
again (see `local_file`, `local_file_state`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.lock_file import UpstreamLock
from ingest.registry import Dataset, UpstreamFile

DOWNLOAD_TIMEOUT_SECONDS = 60
DOWNLOAD_ATTEMPTS = 3
RETRY_BACKOFF_SECONDS = 1.0
CHUNK_BYTES = 1 << 20

Origin = Literal["mirror", "cache", "download"]


class FetchError(RuntimeError):
    """An upstream file could not be obtained or failed verification."""


class MissingUpstreamFileError(FetchError):
    """The file is not in the mirror, or upstream answers that it does not exist."""


class ChecksumMismatchError(FetchError):
    """The bytes obtained are not the bytes the registry expects."""


class UpstreamChangedError(ChecksumMismatchError):
    """The bytes obtained differ from those recorded on first use in the lock file."""


ACCEPT_OPTION = "--accept-upstream-changes"

# What a file's checksum was verified against (manifest column checksum_source).
ChecksumSource = Literal["registry", "lock file", "first use", "accepted"]


@dataclass(frozen=True)
class Verification:
    """How to verify what the registry has no published checksum for (see ingest.lock_file)."""

    lock: UpstreamLock | None = None
    accept_changes: bool = False  # record bytes that differ from the lock or the registry


@dataclass(frozen=True)
class LocalFileState:
    """A local file as the file system describes it: a changed file changes these."""

    path: str
    size: int  # bytes on disk (compressed, for a .gz copy)
    mtime_ns: int
    ctime_ns: int  # also changes when a file is rewritten and its mtime set back


@dataclass(frozen=True)
class FetchedFile:
    """An upstream file's verified content and where it came from."""

    file: UpstreamFile
    origin: Origin
    location: str  # mirror path, cache path or URL
    content: bytes
    git_blob_sha1: str
    checksum_verified: bool  # the registry knew the checksum and it matched
    local: LocalFileState  # the mirror or cache file the content was read from or saved to
    checksum_source: ChecksumSource | None = None  # None: nothing to verify against


def _state(path: Path, stat: os.stat_result) -> LocalFileState:
    return LocalFileState(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def local_file_state(path: Path | None) -> LocalFileState | None:
    """The state of a local file, or None if there is none."""
    if path is None:
        return None
    try:
        return _state(path, path.stat())
    except FileNotFoundError:
        return None


def _read_with_state(path: Path) -> tuple[bytes, LocalFileState]:
    """A file's bytes, and its state taken from the open file before reading it."""
    with path.open("rb") as stream:
        state = _state(path, os.fstat(stream.fileno()))
        return stream.read(), state


def git_blob_sha1(content: bytes) -> str:
    """`git hash-object` of the given bytes."""
    digest = hashlib.sha1(b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def verify(
    file: UpstreamFile,
    content: bytes,
    location: str,
    verification: Verification | None = None,
) -> tuple[str, bool, ChecksumSource | None]:
    """Check size and checksum against the registry, else against the lock file (recording
    the file on first use); return (sha1, whether the registry's checksum matched, source)."""
    actual = git_blob_sha1(content)
    lock = verification.lock if verification else None
    accept = verification.accept_changes if verification else False
    recorded = lock.get(file) if lock else None
    if file.git_blob_sha1 is not None or file.size is not None:
        size_fits = file.size is None or len(content) == file.size
        sha1_fits = file.git_blob_sha1 is None or actual == file.git_blob_sha1
        if size_fits and sha1_fits:
            return actual, file.git_blob_sha1 is not None, "registry"
        if (
            recorded is not None
            and recorded.git_blob_sha1 == actual
            and recorded.replaces == (file.git_blob_sha1 or "")
        ):
            return actual, False, "lock file"  # accepted earlier in place of this very pin
        if accept and lock is not None:
            lock.record(file, actual, len(content))
            return actual, False, "accepted"
        hint = (
            f"; to use this file instead, pass {ACCEPT_OPTION} to record its checksum in "
            f"{lock.path}"
            if lock is not None
            else ""
        )
        if not size_fits:
            raise ChecksumMismatchError(
                f"{location}: {len(content):,} bytes, expected {file.size:,} "
                f"({file.dataset} {file.path}); the file is truncated or not the upstream "
                f"version{hint}"
            )
        raise ChecksumMismatchError(
            f"{location}: git blob SHA-1 {actual}, expected {file.git_blob_sha1} "
            f"({file.dataset} {file.path}); the file is corrupt or not the upstream version{hint}"
        )
    if lock is None:
        return actual, False, None
    if recorded is None:
        lock.record(file, actual, len(content))
        return actual, False, "first use"
    if recorded.git_blob_sha1 == actual and recorded.size == len(content):
        return actual, False, "lock file"
    if accept:
        lock.record(file, actual, len(content))
        return actual, False, "accepted"
    raise UpstreamChangedError(
        f"{location}: {file.dataset} {file.path} changed since its first use: git blob SHA-1 "
        f"{actual}, {len(content):,} bytes, but {lock.path} recorded {recorded.git_blob_sha1}, "
        f"{recorded.size:,} bytes on {recorded.recorded_at}; if upstream published a new "
        f"version, pass {ACCEPT_OPTION} to record it"
    )


def mirror_candidates(file: UpstreamFile, mirror: Path) -> tuple[Path, Path]:
    """Where a mirror keeps the file: `<mirror>/<mirror folder>/<path>`, or that plus `.gz`."""
    plain = mirror / (file.mirror_folder or file.dataset) / file.path
    return plain, plain.with_name(plain.name + ".gz")


def cache_path(file: UpstreamFile, cache: Path) -> Path:
    """Where the download cache keeps the file: `<cache>/<dataset>/<path>`."""
    return cache / file.dataset / file.path


def local_file(file: UpstreamFile, mirror: Path | None, cache: Path) -> Path | None:
    """The local file fetch would read (mirror copy, plain first, else cache entry), or None."""
    candidates = (
        mirror_candidates(file, mirror) if mirror is not None else (cache_path(file, cache),)
    )
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def read_from_mirror(
    file: UpstreamFile, mirror: Path, verification: Verification | None = None
) -> FetchedFile:
    """Read the file from the mirror, plain or gzip-compressed, verified."""
    plain, compressed = mirror_candidates(file, mirror)
    if plain.is_file():
        location = plain
        content, state = _read_with_state(plain)
    elif compressed.is_file():
        location = compressed
        packed, state = _read_with_state(compressed)
        try:
            content = gzip.decompress(packed)
        except (OSError, EOFError) as error:
            raise FetchError(f"{compressed}: not a readable gzip file ({error})") from error
    else:
        raise MissingUpstreamFileError(f"{plain} (or .gz) not found in the mirror")
    sha1, verified, source = verify(file, content, str(location), verification)
    return FetchedFile(file, "mirror", str(location), content, sha1, verified, state, source)


def _download(url: str) -> bytes:
    """GET url with a timeout; raise on HTTP errors and on a body shorter than announced."""
    request = urllib.request.Request(url, headers={"User-Agent": "dialogue-warehouse"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
        announced = response.headers.get("Content-Length")
        chunks = []
        while chunk := response.read(CHUNK_BYTES):
            chunks.append(chunk)
    content = b"".join(chunks)
    if announced is not None and len(content) != int(announced):
        raise FetchError(f"{url}: truncated download, {len(content):,} of {int(announced):,} bytes")
    return content


def _atomic_write(path: Path, content: bytes) -> None:
    """Write content to path through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def download_with_cache(
    dataset: Dataset, file: UpstreamFile, cache: Path, verification: Verification | None = None
) -> FetchedFile:
    """The file from `<cache>/<dataset>/<path>` if present and valid, else downloaded into it."""
    cached = cache_path(file, cache)
    if cached.is_file():
        content, state = _read_with_state(cached)
        try:
            sha1, verified, source = verify(file, content, str(cached), verification)
            return FetchedFile(file, "cache", str(cached), content, sha1, verified, state, source)
        except UpstreamChangedError:
            raise  # the cache holds what was verified before: the lock file changed, not it
        except ChecksumMismatchError:
            cached.unlink()  # a stale or damaged cache entry: fetch it again
    if dataset.manual_download:
        raise MissingUpstreamFileError(f"{file.path}: {dataset.manual_download}")
    url = dataset.url(file)
    last_error: Exception | None = None
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            content = _download(url)
            sha1, verified, source = verify(file, content, url, verification)
        except ChecksumMismatchError:
            raise  # the file at a pinned commit will not change on a retry
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 404:
                raise MissingUpstreamFileError(f"{url}: upstream answers 404 Not Found") from error
            if error.code < 500:
                raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from error
            last_error = error
        except (urllib.error.URLError, TimeoutError, ConnectionError, FetchError) as error:
            last_error = error
        else:
            _atomic_write(cached, content)
            state = _state(cached, cached.stat())
            return FetchedFile(file, "download", url, content, sha1, verified, state, source)
        if attempt < DOWNLOAD_ATTEMPTS:
            time.sleep(RETRY_BACKOFF_SECONDS * attempt)
    if isinstance(last_error, FetchError):
        raise FetchError(f"{last_error} (after {DOWNLOAD_ATTEMPTS} attempts)") from last_error
    raise FetchError(
        f"{url}: download failed after {DOWNLOAD_ATTEMPTS} attempts ({last_error})"
    ) from last_error


def fetch(
    dataset: Dataset,
    file: UpstreamFile,
    mirror: Path | None,
    cache: Path,
    verification: Verification | None = None,
) -> FetchedFile:
    """One verified upstream file: from the mirror when one is given, else cache or download."""
    if mirror is not None:
        return read_from_mirror(file, mirror, verification)
    return download_with_cache(dataset, file, cache, verification)
