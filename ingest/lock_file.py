"""Trust on first use: the checksums of upstream files recorded under the data folder.

A file the registry has no published git blob SHA-1 for (an archive outside git, a file
whose blob could not be looked up) is verified against what the first verified read of it
recorded here; a later run that gets other bytes stops, naming the file, until told to
accept the new version (`--accept-upstream-changes`), which records it. The same option
records a file that differs from a checksum the registry pins (such as KVRET's official
train file, where the registry pins a backup copy), and later runs accept exactly that file.

The lock file is `<data dir>/upstream_files.lock.tsv`, one row per file: dataset, path,
git blob SHA-1, bytes, the registry checksum it was accepted in place of (empty for a file
recorded on first use: such an entry never overrides a checksum the registry pins), and
when it was recorded. It is rewritten whole through a temporary file
and a rename at every change, so it is never half written.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.registry import UpstreamFile
from ingest.work_paths import create_new_file, unique_work_path

LOCK_FILE_NAME = "upstream_files.lock.tsv"
COLUMNS = ("dataset", "path", "git_blob_sha1", "bytes", "replaces", "recorded_at")


class LockFileError(RuntimeError):
    """A lock file that cannot be read."""


@dataclass(frozen=True)
class LockedChecksum:
    """A file's checksum as a run recorded it."""

    git_blob_sha1: str
    size: int
    replaces: str  # the registry's checksum this file was accepted instead of ("": none)
    recorded_at: str


class UpstreamLock:
    """The recorded checksums of one data folder, by (dataset, upstream path)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._entries: dict[tuple[str, str], LockedChecksum] = {}
        # How entries recorded through this object came to be ("first use", "accepted"): a
        # file verified twice in one run (its availability checked, then ingested) is
        # reported as recorded by this run both times.
        self._recorded_now: dict[tuple[str, str], str] = {}
        self._writing = threading.Lock()
        if self.path.is_file():
            self._entries = _read(self.path)

    def get(self, file: UpstreamFile) -> LockedChecksum | None:
        """What was recorded for this file, if anything."""
        return self._entries.get((file.dataset, file.path))

    def recorded_now(self, file: UpstreamFile) -> str | None:
        """How this object recorded the file ("first use" or "accepted"), or None."""
        return self._recorded_now.get((file.dataset, file.path))

    def record(
        self, file: UpstreamFile, git_blob_sha1: str, size: int, how: str = "first use"
    ) -> LockedChecksum:
        """Record (or replace) the file's checksum and write the lock file."""
        entry = LockedChecksum(
            git_blob_sha1,
            size,
            file.git_blob_sha1 or "",
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        with self._writing:  # the ingest verifies several files at a time, on threads
            self._entries[(file.dataset, file.path)] = entry
            self._recorded_now[(file.dataset, file.path)] = how
            self._write()
        return entry

    def _write(self) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        for (dataset, path), entry in sorted(self._entries.items()):
            writer.writerow(
                (dataset, path, entry.git_blob_sha1, entry.size, entry.replaces, entry.recorded_at)
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = unique_work_path(self.path.parent, f".{self.path.name}.", ".part")
        try:
            with os.fdopen(create_new_file(temporary), "w", encoding="utf-8", newline="") as stream:
                stream.write(buffer.getvalue())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _read(path: Path) -> dict[tuple[str, str], LockedChecksum]:
    """The lock file's rows; a malformed one is an error naming the file and the line."""
    entries: dict[tuple[str, str], LockedChecksum] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t")
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise LockFileError(f"{path}: header {header}, expected {list(COLUMNS)}")
        for row in reader:
            if not row:
                continue
            try:
                dataset, upstream_path, sha1, size, replaces, recorded_at = row
                entries[(dataset, upstream_path)] = LockedChecksum(
                    sha1, int(size), replaces, recorded_at
                )
            except ValueError as error:
                raise LockFileError(
                    f"{path} line {reader.line_num}: expected {len(COLUMNS)} tab-separated "
                    f"fields {list(COLUMNS)}, found {row!r}"
                ) from error
    return entries
