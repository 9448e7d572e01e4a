"""Names for the work files and folders a run writes before swapping them into place.

A name is chosen before anything is created, and the caller holds it from then on: an
interruption (Ctrl-C, SIGTERM) at any moment finds the name set and removes what exists
under it. `tempfile.mkdtemp`/`mkstemp` create first and return the name after, and an
interruption landing between the two left a work folder behind (seen once in CI, under load).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def unique_work_path(parent: Path, prefix: str, suffix: str = "") -> Path:
    """A path in parent no other run uses (48 random bits; one writer holds a data folder)."""
    return Path(parent) / f"{prefix}{secrets.token_hex(6)}{suffix}"


def create_new_file(path: Path) -> int:
    """Open a file descriptor for writing on a file that must not exist yet."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
