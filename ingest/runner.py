"""Ingest runs: check availability of every file first, then write each dataset atomically.

A file whose local copy (mirror or cache file) is in the state the previous ingest recorded
(same path, size, modification and change times), verified against the registry entry as it
is now and parsed by the same parser version, is kept without being read again: an unchanged
rerun costs a `stat` per file. Anything else is read, verified and, where its content
changed, converted again; `--force` (force=True) re-reads and re-converts everything.

Files without a published checksum are verified against the data folder's lock file, which
their first verified read records (ingest.lock_file). Each run writes a dataset into a work
folder of its own (`.<dataset>.ingesting.<unique>`) and removes only that folder, so two
runs never share or delete each other's work.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest import chunks, convert, raw_layout, raw_store
from ingest.fetch import (
    LocalFileState,
    MissingUpstreamFileError,
    Verification,
    download_with_cache,
    fetch,
    local_file,
    local_file_state,
)
from ingest.lock_file import LOCK_FILE_NAME, UpstreamLock
from ingest.registry import Dataset, UpstreamFile
from ingest.sources import UpstreamFormatError, parser_for
from ingest.work_paths import unique_work_path

Progress = Callable[[str], None]
Manifest = dict[str, dict[str, Any]]  # a dataset's previous manifest rows, by upstream path


class IngestError(RuntimeError):
    """An ingest that cannot go on; its message names the file and the problem."""


class MissingFilesError(IngestError):
    """Upstream files that are not available, without --allow-partial."""


@dataclass(frozen=True)
class DatasetReport:
    """What one dataset's ingest did."""

    dataset: str
    files_ingested: int
    files_unchanged: int
    files_missing: int
    records: int
    seconds: float

    @property
    def complete(self) -> bool:
        return self.files_missing == 0


# Checksum sources that mean "verified against the lock file" (see ingest.fetch.verify).
_LOCK_SOURCES = ("lock file", "first use", "accepted")


def _recorded_state_holds(
    previous: dict[str, Any] | None,
    file: UpstreamFile,
    local: LocalFileState | None,
    verification: Verification | None = None,
) -> bool:
    """Whether the previous ingest verified this very local file, as the registry (and the
    lock file) is now, and the file is unchanged since: then reading and hashing it again
    would change nothing."""
    if previous is None or local is None or previous["status"] != "ingested":
        return False
    recorded = tuple(
        previous.get(name)
        for name in ("local_path", "local_bytes", "local_mtime_ns", "local_ctime_ns")
    )
    if recorded != (local.path, local.size, local.mtime_ns, local.ctime_ns):
        return False
    lock = verification.lock if verification is not None else None
    locked = lock.get(file) if lock is not None else None
    if previous.get("checksum_source") in _LOCK_SOURCES:
        # Verified against the lock file: it must still hold the checksum then recorded, and
        # where the registry pins one, have been accepted in place of that very pin.
        return (
            locked is not None
            and locked.git_blob_sha1 == previous["git_blob_sha1"]
            and locked.replaces == (file.git_blob_sha1 or "")
        )
    if file.git_blob_sha1 is None and lock is not None and locked is None:
        return False  # never recorded (a lock file made afresh): read it, to record it
    if file.size is not None and previous["bytes"] != file.size:
        return False
    if file.git_blob_sha1 is None:
        return previous["checksum_verified"] is False
    return previous["checksum_verified"] is True and previous["git_blob_sha1"] == file.git_blob_sha1


def _check_available(
    dataset: Dataset,
    file: UpstreamFile,
    mirror: Path | None,
    cache: Path,
    label: str,
    progress: Progress,
    previous: dict[str, Any] | None,
    verification: Verification | None = None,
) -> bool:
    """Whether the file can be had; a download goes into the cache as a side effect."""
    if mirror is not None:
        return local_file(file, mirror, cache) is not None
    cached = local_file_state(local_file(file, None, cache))
    if _recorded_state_holds(previous, file, cached, verification):
        return True  # the cache entry a previous ingest verified, untouched since
    try:
        fetched = download_with_cache(dataset, file, cache, verification, in_memory=False)
    except MissingUpstreamFileError as error:
        progress(f"{label}: MISSING ({error})")
        return False
    if fetched.origin == "download":
        how = {
            "first use": "no published checksum: recorded on first use",
            "accepted": f"recorded in {verification.lock.path} as accepted"
            if verification and verification.lock
            else "accepted",
        }.get(fetched.checksum_source or "", "verified")
        progress(f"{label}: downloaded {fetched.size:,} bytes, {how}")
    return True


def find_missing_files(
    datasets: list[Dataset],
    mirror: Path | None,
    cache: Path,
    progress: Progress,
    previous_manifests: dict[str, Manifest] | None = None,
    verification: Verification | None = None,
) -> dict[str, list[UpstreamFile]]:
    """Missing upstream files per dataset id (downloading the others into the cache)."""
    missing: dict[str, list[UpstreamFile]] = {}
    for dataset in datasets:
        previous_manifest = (previous_manifests or {}).get(dataset.id, {})
        where = f"mirror {mirror}" if mirror is not None else "upstream"
        progress(f"[{dataset.id}] checking {len(dataset.files)} upstream files in {where}")
        absent = [
            file
            for position, file in enumerate(dataset.files, start=1)
            if not _check_available(
                dataset,
                file,
                mirror,
                cache,
                f"[{dataset.id} {position}/{len(dataset.files)}] {file.path}",
                progress,
                previous_manifest.get(file.path),
                verification,
            )
        ]
        if absent:
            missing[dataset.id] = absent
            progress(f"[{dataset.id}] {len(absent)} of {len(dataset.files)} files missing")
    return missing


MISSING_LIST_NAME = "missing_upstream_files.tsv"
MISSING_PATHS_SHOWN = 3  # paths named per dataset in the one-line summary


def describe_missing(missing: dict[str, list[UpstreamFile]], full_list: Path | None = None) -> str:
    """A one-line summary: per dataset the count and the first few paths, and where the
    full list is (written there, one tab-separated dataset and path per line)."""
    parts = []
    for dataset_id, files in missing.items():
        names = ", ".join(f.path for f in files[:MISSING_PATHS_SHOWN])
        hidden = len(files) - MISSING_PATHS_SHOWN
        more = f" and {hidden:,} more" if hidden > 0 else ""
        parts.append(f"{dataset_id}: {len(files)} file(s) missing ({names}{more})")
    summary = "; ".join(parts)
    if full_list is None:
        return summary
    full_list.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"{dataset_id}\t{f.path}\n" for dataset_id, files in missing.items() for f in files]
    full_list.write_text("dataset\tpath\n" + "".join(rows), encoding="utf-8")
    return f"{summary}; every missing file is listed in {full_list}"


# Manifest columns a file kept without reading carries over from the ingest that verified it.
_VERIFIED_COLUMNS = (
    "status",
    "bytes",
    "git_blob_sha1",
    "checksum_verified",
    "records",
    "parser_version",
    "parquet_path",
    "schema_drift",
    "checksum_source",
)


def _parquet_relative_path(file: UpstreamFile) -> str:
    return f"{file.table}/{file.path}.parquet"


def _previous_parquet_usable(
    previous: dict[str, Any] | None, parser_version: int, dataset_dir: Path, relative: str
) -> bool:
    """Whether the previous ingest wrote this file's Parquet, with this parser version."""
    return (
        previous is not None
        and previous["status"] == "ingested"
        and previous["parquet_path"] == relative
        and previous["parser_version"] == parser_version
        and (dataset_dir / relative).is_file()
    )


def _keep_previous_parquet(dataset_dir: Path, work_dir: Path, relative: str) -> None:
    """Hard-link the previous Parquet into the work folder (no copy, no rewrite)."""
    (work_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    os.link(dataset_dir / relative, work_dir / relative)


def _chunk_group(dataset: Dataset, parser: Any, file: UpstreamFile) -> list[UpstreamFile]:
    """The registered files that are pieces of the same file as `file`, in path order (as
    `cat` takes them from a shell glob)."""
    group = parser.TABLES[file.table].chunks.group
    return sorted(
        (f for f in dataset.files if f.table == file.table and group(f.path) == group(file.path)),
        key=lambda f: f.path,
    )


def _local_columns(local: LocalFileState) -> dict[str, Any]:
    return {
        "local_path": local.path,
        "local_bytes": local.size,
        "local_mtime_ns": local.mtime_ns,
        "local_ctime_ns": local.ctime_ns,
    }


@dataclass(frozen=True)
class _PieceOutcome:
    """What the ingest of a chunked group did with one of its present pieces."""

    columns: dict[str, Any]  # the manifest columns beyond the file's own
    records: int
    converted: bool  # False: the previous Parquet was kept
    message: str


def _ingest_chunk_group(
    dataset: Dataset,
    parser: Any,
    members: list[UpstreamFile],
    missing_paths: set[str],
    previous_manifest: Manifest,
    dataset_dir: Path,
    work_dir: Path,
    mirror: Path | None,
    cache: Path,
    verification: Verification | None,
) -> dict[str, _PieceOutcome]:
    """Ingest the pieces of one chunked file (RawTable.chunks) together: concatenated, cut
    again at record starts, each piece's records written as its own file (ingest.chunks).

    A change to any piece (or to which pieces are missing) can move a record across a
    piece boundary, so the group is kept or converted whole: kept without reading when
    every present piece is in the state the previous ingest recorded, kept after reading
    when their checksums are the previous ones, converted again otherwise."""
    raw_table = parser.TABLES[members[0].table]
    present = [member for member in members if member.path not in missing_paths]
    previous = {member.path: previous_manifest.get(member.path) for member in members}
    same_pieces = all(
        (previous[member.path] or {}).get("status")
        == ("missing" if member.path in missing_paths else "ingested")
        for member in members
    ) and all(
        _previous_parquet_usable(
            previous[member.path],
            parser.PARSER_VERSION,
            dataset_dir,
            _parquet_relative_path(member),
        )
        for member in present
    )
    outcomes: dict[str, _PieceOutcome] = {}
    local = {member.path: local_file_state(local_file(member, mirror, cache)) for member in present}
    if same_pieces and all(
        _recorded_state_holds(previous[m.path], m, local[m.path], verification) for m in present
    ):
        for member in present:
            kept, state = previous[member.path], local[member.path]
            _keep_previous_parquet(dataset_dir, work_dir, _parquet_relative_path(member))
            columns = {name: kept[name] for name in _VERIFIED_COLUMNS}
            columns.update(
                origin="mirror" if mirror is not None else "cache",
                location=state.path,
                ingested_at=kept["ingested_at"],
                **_local_columns(state),
            )
            message = f"unchanged, {kept['records']:,} records kept (file not read again)"
            outcomes[member.path] = _PieceOutcome(columns, kept["records"], False, message)
        return outcomes
    fetched = {m.path: fetch(dataset, m, mirror, cache, verification) for m in present}
    unchanged = same_pieces and all(
        previous[m.path]["git_blob_sha1"] == fetched[m.path].git_blob_sha1 for m in present
    )
    group = raw_table.chunks.group(members[0].path)
    pieces = (
        None
        if unchanged
        else chunks.recut(
            [fetched[m.path].content if m.path in fetched else None for m in members],
            raw_table.chunks.record_starts,
            f"{group} (its {len(members)} pieces concatenated)",
        )
    )
    for position, member in enumerate(members):
        if member.path not in fetched:
            continue
        got, relative = fetched[member.path], _parquet_relative_path(member)
        columns: dict[str, Any] = {
            "status": "ingested",
            "origin": got.origin,
            "location": got.location,
            "bytes": got.size,
            "git_blob_sha1": got.git_blob_sha1,
            "checksum_verified": got.checksum_verified,
            "parser_version": parser.PARSER_VERSION,
            "parquet_path": relative,
            **_local_columns(got.local),
            "checksum_source": got.checksum_source,
        }
        if pieces is None:
            kept = previous[member.path]
            _keep_previous_parquet(dataset_dir, work_dir, relative)
            columns.update(
                records=kept["records"],
                ingested_at=kept["ingested_at"],
                schema_drift=kept.get("schema_drift") or [],
            )
            message = f"unchanged, {kept['records']:,} records kept"
            outcomes[member.path] = _PieceOutcome(columns, kept["records"], False, message)
            continue
        piece = pieces[position]
        written = convert.write_upstream_file(
            raw_table,
            piece.content or b"",
            work_dir / relative,
            source_path=member.path,
            upstream_split=member.upstream_split,
            locale=member.locale,
            location=got.location,
        )
        drift = raw_store.SchemaDrift(piece.drift)
        drift.update(written.drift)
        columns.update(records=written.records, schema_drift=drift.rows())
        message = (
            f"{written.records:,} records ({got.origin}, {written.reader}; the rows that start "
            f"in this piece of {group})"
        )
        outcomes[member.path] = _PieceOutcome(columns, written.records, True, message)
    return outcomes


INGEST_WORKERS_VARIABLE = "DW_INGEST_WORKERS"


def ingest_workers() -> int:
    """Files of a dataset converted at a time: $DW_INGEST_WORKERS, else one per core, at most
    four. The conversion happens mostly in DuckDB, zlib, hashlib and Arrow, outside the GIL."""
    configured = os.environ.get(INGEST_WORKERS_VARIABLE, "").strip()
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class _FileOutcome:
    """One upstream file read, verified and converted (or found unchanged by its checksum)."""

    columns: dict[str, Any]  # the manifest row's columns beyond the file's registry entry
    records: int
    converted: bool
    messages: tuple[str, ...]  # progress messages, for the file's label ("WARN ..." as is)


def _convert_file(
    dataset: Dataset,
    parser: Any,
    file: UpstreamFile,
    previous: dict[str, Any] | None,
    parquet_usable: bool,
    relative: str,
    dataset_dir: Path,
    work_dir: Path,
    mirror: Path | None,
    cache: Path,
    verification: Verification | None,
) -> _FileOutcome:
    """Fetch and verify one file; convert it unless its content is what the previous ingest
    converted (then its Parquet is kept). Runs on a worker thread."""
    raw_table = parser.TABLES[file.table]
    # An archive parsed from its file (reads_file) is never read into memory.
    fetched = fetch(dataset, file, mirror, cache, verification, in_memory=not raw_table.reads_file)
    messages: list[str] = []
    columns: dict[str, Any] = {}
    if (
        previous is not None
        and parquet_usable
        and previous["git_blob_sha1"] == fetched.git_blob_sha1
    ):
        _keep_previous_parquet(dataset_dir, work_dir, relative)
        records = previous["records"]
        columns["ingested_at"] = previous["ingested_at"]
        drift = previous.get("schema_drift") or []
        converted = False
        messages.append(f"unchanged, {records:,} records kept")
    else:
        try:
            with contextlib.ExitStack() as stack:
                written = convert.write_upstream_file(
                    raw_table,
                    stack.enter_context(fetched.open())
                    if raw_table.reads_file
                    else fetched.content,
                    work_dir / relative,
                    source_path=file.path,
                    upstream_split=file.upstream_split,
                    locale=file.locale,
                    location=fetched.location,
                )
        except (UpstreamFormatError, raw_store.RawRecordError) as error:
            raise IngestError(str(error)) from error
        records = written.records
        drift = written.drift.rows()
        converted = True
        messages.append(f"{records:,} records ({fetched.origin}, {written.reader})")
        if fetched.checksum_source == "first use":
            messages.append("no published checksum; recorded on first use")
    messages += [
        f"WARN [{dataset.id}] {file.path}: {raw_store.describe_drift(kept)}" for kept in drift
    ]
    columns.update(
        {
            "status": "ingested",
            "origin": fetched.origin,
            "location": fetched.location,
            "bytes": fetched.size,
            "git_blob_sha1": fetched.git_blob_sha1,
            "checksum_verified": fetched.checksum_verified,
            "records": records,
            "parser_version": parser.PARSER_VERSION,
            "parquet_path": relative,
            **_local_columns(fetched.local),
            "schema_drift": drift,
            "checksum_source": fetched.checksum_source,
        }
    )
    return _FileOutcome(columns, records, converted, tuple(messages))


def ingest_dataset(
    dataset: Dataset,
    raw_dir: Path,
    cache: Path,
    mirror: Path | None,
    missing: list[UpstreamFile],
    previous_manifest: Manifest,
    progress: Progress,
    verification: Verification | None = None,
) -> DatasetReport:
    """Write one dataset's raw Parquet and manifest into a fresh folder, then swap it in.

    previous_manifest is what the last ingest recorded ({} to redo everything, as --force).
    """
    started = time.monotonic()
    parser = parser_for(dataset.id)
    dataset_dir = raw_dir / dataset.id
    raw_dir.mkdir(parents=True, exist_ok=True)
    missing_paths = {f.path for f in missing}
    manifest_rows: list = []  # (position in the registry, manifest row)
    ingested = unchanged = records_total = 0
    pieces_done: dict[str, _PieceOutcome] = {}  # pieces of chunked files, ingested by group
    pending: list = []  # (position, label, row, future of _convert_file)
    workers = ThreadPoolExecutor(ingest_workers(), thread_name_prefix=f"ingest-{dataset.id}")
    # This run's own work folder: never one another run may be writing, or removing; named
    # before it is made, so an interruption at any moment after finds it and removes it.
    work_dir = unique_work_path(raw_dir, f".{dataset.id}.ingesting.")
    try:
        work_dir.mkdir()
        for position, file in enumerate(dataset.files, start=1):
            label = f"[{dataset.id} {position}/{len(dataset.files)}] {file.path}"
            row: dict[str, Any] = {
                "dataset": dataset.id,
                "source_path": file.path,
                "upstream_split": file.upstream_split,
                "locale": file.locale,
                "table_name": file.table,
                "ingested_at": raw_store.utc_now(),
            }
            if file.path in missing_paths:
                manifest_rows.append((position, {**row, "status": "missing"}))
                progress(f"{label}: MISSING, recorded as such (--allow-partial)")
                continue
            if parser.TABLES[file.table].chunks is not None:
                if file.path not in pieces_done:  # its group not ingested yet: ingest it whole
                    try:
                        pieces_done.update(
                            _ingest_chunk_group(
                                dataset,
                                parser,
                                _chunk_group(dataset, parser, file),
                                missing_paths,
                                previous_manifest,
                                dataset_dir,
                                work_dir,
                                mirror,
                                cache,
                                verification,
                            )
                        )
                    except (UpstreamFormatError, raw_store.RawRecordError) as error:
                        raise IngestError(str(error)) from error
                done = pieces_done[file.path]
                ingested, unchanged = ingested + done.converted, unchanged + (not done.converted)
                records_total += done.records
                manifest_rows.append((position, {**row, **done.columns}))
                progress(f"{label}: {done.message}")
                for kept in done.columns["schema_drift"]:
                    progress(f"WARN [{dataset.id}] {file.path}: {raw_store.describe_drift(kept)}")
                continue
            relative = _parquet_relative_path(file)
            previous = previous_manifest.get(file.path)
            parquet_usable = _previous_parquet_usable(
                previous, parser.PARSER_VERSION, dataset_dir, relative
            )
            local = local_file_state(local_file(file, mirror, cache))
            if (
                previous is not None
                and local is not None
                and parquet_usable
                and _recorded_state_holds(previous, file, local, verification)
            ):
                _keep_previous_parquet(dataset_dir, work_dir, relative)
                records = previous["records"]
                unchanged += 1
                progress(f"{label}: unchanged, {records:,} records kept (file not read again)")
                records_total += records
                manifest_rows.append(
                    (
                        position,
                        {
                            **row,
                            **{name: previous[name] for name in _VERIFIED_COLUMNS},
                            # What reading the file would record: a download is now cached.
                            "origin": "mirror" if mirror is not None else "cache",
                            "location": local.path,
                            "ingested_at": previous["ingested_at"],
                            **_local_columns(local),
                        },
                    )
                )
                continue
            # Read, verify and convert: on a worker thread, beside the dataset's other files.
            pending.append(
                (
                    position,
                    label,
                    row,
                    workers.submit(
                        _convert_file,
                        dataset,
                        parser,
                        file,
                        previous,
                        parquet_usable,
                        relative,
                        dataset_dir,
                        work_dir,
                        mirror,
                        cache,
                        verification,
                    ),
                )
            )
        for position, label, row, future in pending:
            outcome = future.result()  # in file order; an error stops the dataset here
            if outcome.converted:
                ingested += 1
            else:
                unchanged += 1
            for message in outcome.messages:
                progress(message if message.startswith("WARN ") else f"{label}: {message}")
            records_total += outcome.records
            manifest_rows.append((position, {**row, **outcome.columns}))
        manifest_rows = [row for _, row in sorted(manifest_rows, key=lambda entry: entry[0])]
        for table_name, raw_table in parser.TABLES.items():
            if not (work_dir / table_name).is_dir():
                raw_store.write_no_records(work_dir, table_name, raw_table.schema)
        raw_store.write_manifest(manifest_rows, work_dir)
        raw_store.swap_in(work_dir, dataset_dir)
    except BaseException:
        # Files not started are dropped; those being converted finish (a file takes well under
        # a second) before the work folder they write into is removed.
        workers.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    finally:
        workers.shutdown(wait=True)
    return DatasetReport(
        dataset=dataset.id,
        files_ingested=ingested,
        files_unchanged=unchanged,
        files_missing=len(missing),
        records=records_total,
        seconds=time.monotonic() - started,
    )


def ensure_placeholders(datasets: list[Dataset], raw_dir: Path) -> list[str]:
    """Give every registered dataset that was never ingested an empty, typed raw folder."""
    # First, so a dataset folder an older version wrote is recognised by its manifest's name.
    raw_layout.rename_legacy_files(raw_dir)
    created = []
    for dataset in datasets:
        dataset_dir = raw_dir / dataset.id
        if not (dataset_dir / raw_store.MANIFEST_NAME).is_file():
            tables = parser_for(dataset.id).TABLES
            raw_store.write_placeholder(
                dataset_dir, {name: raw_table.schema for name, raw_table in tables.items()}
            )
            created.append(dataset.id)
    return created


def run_ingest(
    datasets: list[Dataset],
    raw_dir: Path,
    cache: Path,
    mirror: Path | None = None,
    allow_partial: bool = False,
    force: bool = False,
    progress: Progress = print,
    accept_upstream_changes: bool = False,
    lock_path: Path | None = None,
) -> list[DatasetReport]:
    """Ingest the datasets; fail before writing anything if files are missing (unless allowed).

    Checksums recorded on first use live in lock_path (default: `upstream_files.lock.tsv` in
    the data folder, raw_dir's parent); accept_upstream_changes records files that differ.
    """
    if mirror is not None and not mirror.is_dir():
        if mirror.exists():
            raise IngestError(f"mirror {mirror} is not a folder (a file?); give the mirror folder")
        raise IngestError(f"mirror folder {mirror} does not exist")
    verification = Verification(
        UpstreamLock(lock_path or raw_dir.parent / LOCK_FILE_NAME), accept_upstream_changes
    )
    raw_layout.rename_legacy_files(raw_dir)  # an older version's manifests read as previous
    previous_manifests = {
        dataset.id: {} if force else raw_store.read_manifest(raw_dir / dataset.id)
        for dataset in datasets
    }
    missing = find_missing_files(
        datasets, mirror, cache, progress, previous_manifests, verification
    )
    if missing and not allow_partial:
        full_list = raw_dir.parent / "logs" / MISSING_LIST_NAME
        raise MissingFilesError(
            f"{describe_missing(missing, full_list)}. Nothing was written; pass --allow-partial "
            "to ingest what exists and flag these datasets incomplete"
        )
    raw_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    for dataset in datasets:
        report = ingest_dataset(
            dataset,
            raw_dir,
            cache,
            mirror,
            missing.get(dataset.id, []),
            previous_manifests[dataset.id],
            progress,
            verification,
        )
        state = "complete" if report.complete else f"INCOMPLETE ({report.files_missing} missing)"
        progress(
            f"[{dataset.id}] {report.records:,} records from {report.files_ingested} new and "
            f"{report.files_unchanged} unchanged files, {state}, {report.seconds:.1f}s"
        )
        reports.append(report)
    return reports
