"""Getting upstream files: from a local mirror, from the download cache, or by download.

Every file that comes back has been verified against the registry's size and git blob
SHA-1 where the registry knows them. Downloads are written to a temporary file and
renamed into the cache only once complete and verified, so the cache never holds a
partial or wrong file.

Each fetched file also carries the state (size, modification and change times) of the local
file its bytes were read from or saved to, taken before reading: the runner records it, and
a later run that finds the same local file in the same state need not read and verify it
again (see `local_file`, `local_file_state`).

Nothing here needs a file in memory: downloads stream to a temporary file in the cache,
and every checksum is computed over the file in chunks. A caller that parses an archive
from its file (`in_memory=False`: MASSIVE's tarball, MInDS-14's zip) gets a FetchedFile
whose `open()` reads the verified local file; the others get the bytes (`content`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from ingest.lock_file import UpstreamLock
from ingest.registry import Dataset, UpstreamFile
from ingest.work_paths import create_new_file, unique_work_path

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
    """An upstream file's verified content and where it came from.

    The bytes are held in `data` when the caller asked for them in memory; otherwise
    `opener` opens the verified local file (decompressing a `.gz` mirror copy on the fly).
    """

    file: UpstreamFile
    origin: Origin
    location: str  # mirror path, cache path or URL
    size: int  # bytes of the upstream file (decompressed, for a .gz mirror copy)
    git_blob_sha1: str
    checksum_verified: bool  # the registry knew the checksum and it matched
    local: LocalFileState  # the mirror or cache file the content was read from or saved to
    checksum_source: ChecksumSource | None = None  # None: nothing to verify against
    data: bytes | None = field(default=None, repr=False)
    opener: Callable[[], IO[bytes]] | None = field(default=None, repr=False)

    @property
    def content(self) -> bytes:
        """The file's bytes (read from the local file when not held in memory)."""
        if self.data is not None:
            return self.data
        with self.open() as stream:
            return stream.read()

    def open(self) -> IO[bytes]:
        """The verified bytes as a seekable binary file; the caller closes it."""
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.opener is None:
            raise FetchError(f"{self.location}: neither bytes nor a local file to read")
        return self.opener()


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


def git_blob_sha1_of_stream(stream: IO[bytes], size: int) -> str:
    """`git hash-object` of a stream's `size` remaining bytes, read in chunks; a stream that
    holds another number of bytes is an error (the file changed while it was read)."""
    digest = hashlib.sha1(b"blob %d\0" % size)
    read = 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        read += len(chunk)
    if read != size:
        raise FetchError(f"{getattr(stream, 'name', 'file')}: {read:,} bytes, expected {size:,}")
    return digest.hexdigest()


def _stream_size(open_stream: Callable[[], IO[bytes]]) -> int:
    """How many bytes a stream holds, read through in chunks."""
    size = 0
    with open_stream() as stream:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
    return size


def verify(
    file: UpstreamFile,
    content: bytes,
    location: str,
    verification: Verification | None = None,
) -> tuple[str, bool, ChecksumSource | None]:
    """Check size and checksum against the registry, else against the lock file (recording
    the file on first use); return (sha1, whether the registry's checksum matched, source)."""
    return verify_digest(file, git_blob_sha1(content), len(content), location, verification)


def _lock_source(lock: UpstreamLock, file: UpstreamFile) -> ChecksumSource:
    """A match with the lock file: recorded by an earlier run, or by this one."""
    recorded_now = lock.recorded_now(file)
    if recorded_now == "accepted":
        return "accepted"
    if recorded_now == "first use":
        return "first use"
    return "lock file"


def verify_digest(
    file: UpstreamFile,
    actual: str,
    size: int,
    location: str,
    verification: Verification | None = None,
) -> tuple[str, bool, ChecksumSource | None]:
    """verify, given the file's git blob SHA-1 and size rather than its bytes."""
    lock = verification.lock if verification else None
    accept = verification.accept_changes if verification else False
    recorded = lock.get(file) if lock else None
    if file.git_blob_sha1 is not None or file.size is not None:
        size_fits = file.size is None or size == file.size
        sha1_fits = file.git_blob_sha1 is None or actual == file.git_blob_sha1
        if size_fits and sha1_fits:
            return actual, file.git_blob_sha1 is not None, "registry"
        if (
            recorded is not None
            and recorded.git_blob_sha1 == actual
            and recorded.replaces == (file.git_blob_sha1 or "")
        ):
            # Accepted in place of this very pin, earlier (or by this run).
            return actual, False, _lock_source(lock, file)
        if accept and lock is not None:
            lock.record(file, actual, size, "accepted")
            return actual, False, "accepted"
        hint = (
            f"; to use this file instead, pass {ACCEPT_OPTION} to record its checksum in "
            f"{lock.path}"
            if lock is not None
            else ""
        )
        if not size_fits:
            raise ChecksumMismatchError(
                f"{location}: {size:,} bytes, expected {file.size:,} "
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
        lock.record(file, actual, size)
        return actual, False, "first use"
    if recorded.git_blob_sha1 == actual and recorded.size == size:
        return actual, False, _lock_source(lock, file)
    if accept:
        lock.record(file, actual, size, "accepted")
        return actual, False, "accepted"
    raise UpstreamChangedError(
        f"{location}: {file.dataset} {file.path} changed since its first use: git blob SHA-1 "
        f"{actual}, {size:,} bytes, but {lock.path} recorded {recorded.git_blob_sha1}, "
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


def _local_digest(path: Path) -> tuple[str, LocalFileState]:
    """The git blob SHA-1 of a local file, hashed in chunks, and its state before reading."""
    with path.open("rb") as stream:
        state = _state(path, os.fstat(stream.fileno()))
        return git_blob_sha1_of_stream(stream, state.size), state


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    """Opens the local file's bytes."""
    return functools.partial(open, path, "rb")


def _gzip_opener(path: Path) -> Callable[[], IO[bytes]]:
    """Opens the decompressed bytes of a gzip file (seekable: a seek back reads it again)."""
    return functools.partial(gzip.open, path, "rb")


def read_from_mirror(
    file: UpstreamFile,
    mirror: Path,
    verification: Verification | None = None,
    in_memory: bool = True,
) -> FetchedFile:
    """Read the file from the mirror, plain or gzip-compressed, verified.

    in_memory=False hashes the file in chunks and leaves it on disk (see FetchedFile.open;
    a `.gz` copy is then decompressed twice to hash it, and again as it is read)."""
    plain, compressed = mirror_candidates(file, mirror)
    data: bytes | None = None
    opener: Callable[[], IO[bytes]] | None = None
    if plain.is_file():
        location = plain
        if in_memory:
            data, state = _read_with_state(plain)
        else:
            sha1, state = _local_digest(plain)
            size, opener = state.size, _opener(plain)
    elif compressed.is_file():
        location = compressed
        try:
            if in_memory:
                packed, state = _read_with_state(compressed)
                data = gzip.decompress(packed)
            else:
                state = _state(compressed, compressed.stat())
                opener = _gzip_opener(compressed)
                size = _stream_size(opener)
                with opener() as stream:
                    sha1 = git_blob_sha1_of_stream(stream, size)
        except (OSError, EOFError) as error:
            raise FetchError(f"{compressed}: not a readable gzip file ({error})") from error
    else:
        raise MissingUpstreamFileError(f"{plain} (or .gz) not found in the mirror")
    if data is not None:
        sha1, size = git_blob_sha1(data), len(data)
    sha1, verified, source = verify_digest(file, sha1, size, str(location), verification)
    return FetchedFile(
        file, "mirror", str(location), size, sha1, verified, state, source, data, opener
    )


def _download_to(url: str, folder: Path, name: str) -> Path:
    """GET url with a timeout into a new temporary file in folder, in chunks; raise on HTTP
    errors and on a body shorter than announced (the temporary file then removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = unique_work_path(folder, f".{name}.", ".part")
    try:
        handle = create_new_file(temporary)
        request = urllib.request.Request(url, headers={"User-Agent": "dialogue-warehouse"})
        with (
            os.fdopen(handle, "wb") as target,
            urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
        ):
            announced = response.headers.get("Content-Length")
            received = 0
            while chunk := response.read(CHUNK_BYTES):
                target.write(chunk)
                received += len(chunk)
        if announced is not None and received != int(announced):
            raise FetchError(f"{url}: truncated download, {received:,} of {int(announced):,} bytes")
        return Path(temporary)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _from_local(
    file: UpstreamFile,
    path: Path,
    location: str,
    verification: Verification | None,
    in_memory: bool,
) -> tuple[str, int, LocalFileState, bytes | None, tuple[str, bool, ChecksumSource | None]]:
    """Read (or hash) a local file and verify it: (sha1, size, state, bytes or None,
    verification result)."""
    if in_memory:
        data, state = _read_with_state(path)
        sha1, size = git_blob_sha1(data), len(data)
    else:
        data = None
        sha1, state = _local_digest(path)
        size = state.size
    return sha1, size, state, data, verify_digest(file, sha1, size, location, verification)


def download_with_cache(
    dataset: Dataset,
    file: UpstreamFile,
    cache: Path,
    verification: Verification | None = None,
    in_memory: bool = True,
) -> FetchedFile:
    """The file from `<cache>/<dataset>/<path>` if present and valid, else downloaded into it
    (streamed to a temporary file, verified, then renamed: never held in memory whole)."""
    cached = cache_path(file, cache)
    opener = None if in_memory else _opener(cached)
    if cached.is_file():
        try:
            _, size, state, data, verified = _from_local(
                file, cached, str(cached), verification, in_memory
            )
            sha1, matched, source = verified
            return FetchedFile(
                file, "cache", str(cached), size, sha1, matched, state, source, data, opener
            )
        except UpstreamChangedError:
            raise  # the cache holds what was verified before: the lock file changed, not it
        except ChecksumMismatchError:
            cached.unlink()  # a stale or damaged cache entry: fetch it again
    if dataset.manual_download:
        raise MissingUpstreamFileError(f"{file.path}: {dataset.manual_download}")
    url = dataset.url(file)
    last_error: Exception | None = None
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        temporary: Path | None = None
        try:
            temporary = _download_to(url, cached.parent, cached.name)
            _, size, _, data, verified = _from_local(file, temporary, url, verification, in_memory)
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
            os.replace(temporary, cached)
            temporary = None
            sha1, matched, source = verified
            state = _state(cached, cached.stat())
            return FetchedFile(
                file, "download", url, size, sha1, matched, state, source, data, opener
            )
        finally:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
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
    in_memory: bool = True,
) -> FetchedFile:
    """One verified upstream file: from the mirror when one is given, else cache or download.

    in_memory=False leaves the bytes in the local file (FetchedFile.open reads them)."""
    if mirror is not None:
        return read_from_mirror(file, mirror, verification, in_memory)
    return download_with_cache(dataset, file, cache, verification, in_memory)
