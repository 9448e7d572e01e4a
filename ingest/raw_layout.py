"""The names of the raw store's own files, and the renaming of those older versions wrote.

Apache Spark skips every file whose name starts with `_` or `.`, even one it is given by name,
so the raw store's own files have plain names:

    <raw>/<dataset>/manifest.parquet             the dataset's ingest manifest
    <raw>/<dataset>/<table>/no_records.parquet   empty and typed, for a table with no records

Versions before wrote `_manifest.parquet` and `_no_records.parquet` there;
`rename_legacy_files` renames them in place, so an older raw folder keeps working without a
new download. Standard library only: warehouse.state shares these names and does not import
pyarrow at module import (its up-to-date check is meant to be instant).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MANIFEST_NAME = "manifest.parquet"
PLACEHOLDER_NAME = "no_records.parquet"
LEGACY_MANIFEST_NAME = "_manifest.parquet"
LEGACY_PLACEHOLDER_NAME = "_no_records.parquet"


def replace_legacy_file(legacy: Path, current: Path) -> bool:
    """Give the file at legacy the name current (where current exists, it wins and legacy is
    removed); True when there was a file at legacy."""
    if not legacy.is_file():
        return False
    # A hard link, not os.replace: it never overwrites current (which then wins), and a stop
    # between the two steps leaves both names, which the next call resolves.
    with contextlib.suppress(FileExistsError):
        os.link(legacy, current)
    legacy.unlink()
    return True


def _holds_only_the_placeholder(table_dir: Path) -> bool:
    """Whether the only Parquet files under table_dir are the placeholder (either name), as
    ingest writes it: only into a table folder that has no records file."""
    allowed = {table_dir / LEGACY_PLACEHOLDER_NAME, table_dir / PLACEHOLDER_NAME}
    return all(path in allowed for path in table_dir.rglob("*.parquet"))


def rename_legacy_files(raw_dir: Path) -> list[Path]:
    """Rename `<dataset>/_manifest.parquet` and `<dataset>/<table>/_no_records.parquet`
    under raw_dir to their current names, in place; returns the renamed files' new paths.

    Nothing else is touched: not hidden folders (work folders of a running ingest), not a
    folder without a manifest (not a dataset folder ingest wrote), not a `_no_records.parquet`
    beside records files (ingest never writes one there).
    """
    raw_dir = Path(raw_dir)
    renamed: list[Path] = []
    if not raw_dir.is_dir():
        return renamed
    for dataset_dir in sorted(raw_dir.iterdir()):
        if dataset_dir.name.startswith(".") or not dataset_dir.is_dir():
            continue
        manifest = dataset_dir / MANIFEST_NAME
        if replace_legacy_file(dataset_dir / LEGACY_MANIFEST_NAME, manifest):
            renamed.append(manifest)
        if not manifest.is_file():
            continue
        for table_dir in sorted(dataset_dir.iterdir()):
            legacy = table_dir / LEGACY_PLACEHOLDER_NAME
            if table_dir.name.startswith(".") or not legacy.is_file():
                continue
            placeholder = table_dir / PLACEHOLDER_NAME
            if _holds_only_the_placeholder(table_dir) and replace_legacy_file(legacy, placeholder):
                renamed.append(placeholder)
    return renamed
