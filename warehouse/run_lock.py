"""One writer at a time per data folder: an exclusive lock held for a whole pipeline run.

The lock is `<data dir>/.dialogue-warehouse.lock`, taken with flock(2): the operating system
releases it when its holder exits, however it exits (even kill -9), so a lock is never left
stale. The file itself stays; it says who holds (or last held) the lock: process id, command
and start time. A second run refuses at once, naming the holder. Whoever holds the lock may
remove the temporary files of earlier runs (`*.building`, `*.work`, `.<dataset>.ingesting.*`):
they cannot belong to a run that is still going.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE_NAME = ".dialogue-warehouse.lock"


class DataFolderBusyError(RuntimeError):
    """Another run holds the data folder's lock."""


@dataclass(frozen=True)
class Holder:
    """Who holds a data folder's lock, as the holder wrote it."""

    pid: int | None
    command: str
    started_at: str

    def describe(self) -> str:
        pid = f"process {self.pid}" if self.pid is not None else "another process"
        return f"{pid} ({self.command or 'command unknown'}, since {self.started_at or '?'})"


def lock_path_of(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_FILE_NAME


def read_holder(data_dir: Path) -> Holder:
    """What the lock file says of its (last) holder."""
    try:
        content = json.loads(lock_path_of(data_dir).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        content = {}
    pid = content.get("pid")
    return Holder(
        pid if isinstance(pid, int) else None,
        str(content.get("command", "")),
        str(content.get("started_at", "")),
    )


def is_locked(data_dir: Path) -> bool:
    """Whether a run holds the data folder's lock now (without taking it)."""
    path = lock_path_of(data_dir)
    if not path.is_file():
        return False
    with path.open("a+") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
        return False


class DataFolderLock:
    """The data folder's lock, as a context manager: `with DataFolderLock(data_dir, command):`."""

    def __init__(self, data_dir: Path, command: str = "") -> None:
        self.data_dir = Path(data_dir)
        self.command = command
        self._stream = None

    def __enter__(self) -> DataFolderLock:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        stream = lock_path_of(self.data_dir).open("a+", encoding="utf-8")
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stream.close()
            holder = read_holder(self.data_dir)
            raise DataFolderBusyError(
                f"{self.data_dir} is in use by {holder.describe()}: one run at a time per data "
                "folder; wait for it to end (or stop it), then run again"
            ) from None
        stream.seek(0)
        stream.truncate()
        stream.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "command": self.command,
                    "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        stream.flush()
        self._stream = stream
        return self

    def __exit__(self, *exception) -> None:
        if self._stream is not None:
            fcntl.flock(self._stream.fileno(), fcntl.LOCK_UN)
            self._stream.close()
            self._stream = None
