"""Ingest the registered datasets, then `dbt build` the warehouse.

    python run_pipeline.py                                  # download from upstream
    python run_pipeline.py --mirror ../shared/data/raw      # read a local copy instead
    python run_pipeline.py --datasets sgd,woz2 --allow-partial

On a terminal each stage draws a progress bar and ends with a summary line; otherwise it
prints one line per stage plus warnings. dbt's own output goes to <data dir>/logs/dbt.log. A
warehouse that records the fingerprint of exactly these inputs is left as it is (--force
rebuilds). Exits non-zero on any failure, with a one-line reason as the last line.
"""

from __future__ import annotations

import argparse
import gc
import re
import shlex
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

from ingest.registry import REGISTRY, UnknownDatasetError, dbt_vars, select_datasets
from warehouse import config, interruption
from warehouse.console import Console, Progress


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ingest public dialogue corpora and build the DuckDB warehouse with dbt.",
    )
    parser.add_argument(
        "--datasets",
        help=f"comma-separated dataset ids to ingest (default: all: {','.join(REGISTRY)})",
    )
    parser.add_argument(
        "--mirror",
        type=Path,
        default=config.mirror(),
        help="read upstream files from DIR/<dataset>/<upstream path>[.gz] instead of downloading "
        "(default: $DW_MIRROR, else download)",
        metavar="DIR",
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="ingest what exists when upstream files are missing, flagging the dataset incomplete",
    )
    parser.add_argument(
        "--skip-ingest", action="store_true", help="only build the warehouse from the raw data"
    )
    parser.add_argument(
        "--skip-build", action="store_true", help="only ingest; do not run dbt build"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="re-ingest files even when unchanged, and rebuild the warehouse even when it is "
        "up to date",
    )
    parser.add_argument(
        "--accept-upstream-changes",
        action="store_true",
        help="accept upstream files whose checksum differs from the one recorded on first use "
        "in <data dir>/upstream_files.lock.tsv (or pinned in the registry), and record theirs",
    )
    parser.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="after the build, write training-ready Parquet exports with dataset cards to DIR",
    )
    parser.add_argument(
        "--no-decontaminate",
        action="store_true",
        help="export test splits and utterances equal to downstream evaluation texts too",
    )
    parser.add_argument(
        "--include-restricted",
        metavar="A,B",
        help="export these datasets although their terms forbid redistribution",
    )
    parser.add_argument(
        "--target",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="the engine dbt builds on: duckdb (default), or spark (a local Spark session, "
        "needs the spark extra and Java 17; the marts are then copied into the DuckDB "
        "warehouse file; README, 'Outgrowing one machine')",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where raw Parquet, the download cache and the warehouse go (default: $DW_DATA_DIR, "
        "else the folder of $DW_WAREHOUSE_PATH, else data; see warehouse/config.py)",
    )
    return parser.parse_args(argv)


def datasets_to_ingest(datasets, *, named: bool, mirror: Path | None):
    """The datasets to ingest and the ids left out: a default download run (no --datasets,
    no --mirror) leaves out datasets that can only be downloaded by hand."""
    if named or mirror is not None:
        return datasets, []
    manual = [dataset.id for dataset in datasets if dataset.manual_download]
    return [dataset for dataset in datasets if not dataset.manual_download], manual


# The ingest runner's messages: "[sgd 3/181] train/dialogues_003.json: ..." per file, and
# "[sgd] 44 of 181 files missing" when a dataset lacks files.
FILE_MESSAGE = re.compile(r"^\[(?P<dataset>[^\]\s]+) \d+/\d+\] (?P<file>.*)")
MISSING_FILES_MESSAGE = re.compile(r"^\[[^\]\s]+\] \d+ of \d+ files missing")
# "WARN [massive] 1.1/data/de-DE.jsonl: 1 key kept in _extra ...": schema drift of a file.
DRIFT_PREFIX = "WARN "
# "...: 1,234 records (mirror, duckdb)": a file read and converted (not kept unchanged).
CONVERTED_MESSAGE = re.compile(r": [\d,]+ records \(")


def follow_ingest(
    console: Console, progress: Progress, on_conversion: Callable[[], None] | None = None
) -> Callable[[str], None]:
    """The ingest runner's progress callback: files advance the bar, missing files warn;
    on_conversion is called at the first file converted (there is something to build)."""
    converted = False

    def on_message(message: str) -> None:
        nonlocal converted
        file = FILE_MESSAGE.match(message)
        if file is not None:
            if not converted and on_conversion is not None and CONVERTED_MESSAGE.search(message):
                converted = True
                on_conversion()
            progress.update(advance=1, detail=f"{file['dataset']}: {file['file']}")
        elif MISSING_FILES_MESSAGE.match(message):
            console.warn("ingest", message)
        elif message.startswith(DRIFT_PREFIX):  # kept in _extra, and reported by the build too
            console.warn("ingest", message.removeprefix(DRIFT_PREFIX))
        else:
            progress.update(detail=message)

    return on_message


def ingest_datasets(
    arguments: argparse.Namespace, datasets, data_dir: Path, console: Console
) -> None:
    """Ingest the datasets into data_dir/raw: a bar per file on a terminal, then one line."""
    from ingest.runner import run_ingest

    progress = console.progress("ingest", total=sum(len(dataset.files) for dataset in datasets))
    started = time.monotonic()
    # A file converted means a build to come: dbt's imports (~2.5 s) then load beside the
    # ingest, which works mostly in DuckDB and Arrow outside the GIL. A run with nothing new
    # (an up-to-date warehouse) never loads dbt.
    preload = None
    if not arguments.skip_build:
        from warehouse.build import preload_dbt

        preload = preload_dbt
    reports = run_ingest(
        datasets,
        raw_dir=data_dir / "raw",
        cache=data_dir / "cache",
        mirror=arguments.mirror.resolve() if arguments.mirror else None,
        allow_partial=arguments.allow_partial,
        force=arguments.force,
        accept_upstream_changes=arguments.accept_upstream_changes,
        progress=follow_ingest(console, progress, on_conversion=preload),
    )
    incomplete = [report.dataset for report in reports if not report.complete]
    new = sum(report.files_ingested for report in reports)
    unchanged = sum(report.files_unchanged for report in reports)
    missing = sum(report.files_missing for report in reports)
    records = sum(report.records for report in reports)
    console.line(
        f"ingest: {len(reports)} dataset(s), {new} new and {unchanged} unchanged files"
        + (f", {missing} missing" if missing else "")
        + f", {records:,} records in {time.monotonic() - started:.1f}s"
        + (f"; INCOMPLETE: {', '.join(incomplete)}" if incomplete else "")
    )


# What an interruption leaves, by the stage it interrupts (every write is atomic per file or
# per dataset folder, and the warehouse is replaced whole only after a successful build).
INTERRUPTED_STAGE_LEAVES = {
    "start": "nothing was changed",
    "ingest": "each dataset folder is whole (those ingested in this run before the interruption "
    "are new, the others as they were) and the warehouse is unchanged",
    "build": "the raw store is as ingested and the previous warehouse is unchanged",
    "export": "the warehouse and raw store are unchanged; the export folder may be incomplete "
    "(run the export again)",
}


def run(arguments: argparse.Namespace, console: Console) -> None:
    """The whole pipeline; raises on failure. A run that ingests or builds holds the data
    folder's lock (and the warehouse folder's, where that is elsewhere) throughout."""
    from warehouse.run_lock import DataFolderLock

    configured = config.paths(arguments.data_dir)
    data_dir, warehouse_path = configured.data_dir, configured.warehouse
    names = arguments.datasets.split(",") if arguments.datasets else None
    datasets = select_datasets([name.strip() for name in names] if names else None)
    if not arguments.skip_build:  # refuse a warehouse path it may not replace, before any work
        from warehouse.build import check_warehouse_target

        check_warehouse_target(warehouse_path)
    if arguments.export:  # refuse a target it may not write before ingesting or building
        from warehouse.export import check_export_target

        check_export_target(arguments.export, data_dir)

    with ExitStack() as locks:
        if not (arguments.skip_ingest and arguments.skip_build):
            for folder in dict.fromkeys([data_dir, warehouse_path.parent]):
                locks.enter_context(DataFolderLock(folder, arguments.command_line))
        run_stages(arguments, console, datasets, names, data_dir, warehouse_path)


def run_stages(
    arguments: argparse.Namespace,
    console: Console,
    datasets,
    names: list[str] | None,
    data_dir: Path,
    warehouse_path: Path,
) -> None:
    """Ingest, build and export, as the arguments ask; arguments.stage names the one running."""
    raw_dir = data_dir / "raw"
    if not arguments.skip_ingest:
        arguments.stage = "ingest"
        datasets, manual = datasets_to_ingest(
            datasets, named=names is not None, mirror=arguments.mirror
        )
        if manual:
            console.line(
                f"ingest: skipping {', '.join(manual)}: no download URL (manual download; "
                "name it with --datasets and --mirror once you have the file)"
            )
        ingest_datasets(arguments, datasets, data_dir, console)
    if not arguments.skip_build:
        arguments.stage = "build"
        build(
            raw_dir,
            warehouse_path,
            console,
            force=arguments.force,
            command_line=arguments.command_line,
            target=arguments.target,
        )
    if arguments.export:
        from warehouse.export import export

        arguments.stage = "export"
        started = time.monotonic()
        restricted = arguments.include_restricted.split(",") if arguments.include_restricted else []
        summary = export(
            warehouse_path,
            arguments.export,
            command=arguments.command_line,
            decontaminate=not arguments.no_decontaminate,
            include_restricted=[name.strip() for name in restricted],
            data_dir=data_dir,
        )
        console.line(
            f"export: written to {summary.export_dir} in {time.monotonic() - started:.1f}s"
        )


def build(
    raw_dir: Path,
    warehouse_path: Path,
    console: Console,
    *,
    force: bool = False,
    command_line: str | None = None,
    target: str = "duckdb",
) -> None:
    """dbt build of the warehouse from the raw folder (never-ingested datasets built empty) on
    DuckDB, or on Spark with target `spark`, unless the warehouse is up to date."""
    from ingest.runner import ensure_placeholders

    placeholders = ensure_placeholders(list(REGISTRY.values()), raw_dir)
    if placeholders:
        console.line(f"build: not ingested yet, built empty: {', '.join(placeholders)}")
    started = time.monotonic()
    if target == "spark":
        from warehouse.spark import build_on_spark as build_on_target
    else:
        from warehouse.build import build_warehouse as build_on_target
    summary = build_on_target(
        warehouse_path,
        raw_dir,
        dbt_vars=dbt_vars(),
        force=force,
        command_line=command_line,
        console=console,
    )
    if summary.up_to_date:
        built = f"{summary.built_at:%Y-%m-%d %H:%M} UTC" if summary.built_at else "earlier"
        console.line(
            f"build: warehouse up to date (built {built} from the same raw data, dbt project, "
            f"vars and versions); nothing to do ({time.monotonic() - started:.1f}s, "
            "--force rebuilds)"
        )
        return
    for warning in summary.warnings:
        console.warn("build", warning)
    on_spark = " on Spark" if target == "spark" else ""
    console.line(
        f"build{on_spark}: {summary.passed} passed, {summary.warned} warned, "
        f"{summary.skipped} skipped in {time.monotonic() - started:.1f}s; "
        f"warehouse at {warehouse_path}; "
        f"dbt log at {summary.log_path}"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    arguments.command_line = shlex.join(["python", "run_pipeline.py", *argv])
    arguments.stage = "start"
    console = Console()
    with interruption.signals_handled():
        try:
            try:
                run(arguments, console)
            except Exception:
                # A DuckDB query that a signal stopped raises an error of its own: the
                # interruption it was, if a signal came.
                interruption.raise_if_received()
                raise
        except UnknownDatasetError as error:
            fail(console, f"FAILED: {error}")
            return 2
        except KeyboardInterrupt as interrupted:
            terminated = isinstance(interrupted, interruption.Terminated)
            leaves = INTERRUPTED_STAGE_LEAVES[arguments.stage]
            signal_name = "SIGTERM" if terminated else "SIGINT"
            fail(console, f"FAILED: {arguments.stage} interrupted ({signal_name}): {leaves}")
            return 143 if terminated else 130
        except Exception as error:  # every failure ends with a one-line reason
            # A failed build says first what each failing node found, one line each.
            for detail in getattr(error, "details", ()):
                console.line(f"build: {detail}")
            reason = " ".join(str(error).split())
            fail(console, f"FAILED: {type(error).__name__}: {reason}")
            return 1
    return 0


def fail(console: Console, line: str) -> None:
    """The last line of a failed run, on stderr, after any progress bar is cleared."""
    console.end_bar()
    print(line, file=sys.stderr, flush=True)


# How long the process waits at its end for threads still running (see exit_with).
THREADS_GRACE_SECONDS = 10.0


def exit_with(code: int) -> NoReturn:
    """End the process with `code`, sparing it the garbage collector's passes at shutdown.

    After a build, dbt's manifest and modules stay in memory (about 240,000 objects the
    collector tracks); when the interpreter shuts down, it collects them again and again while
    it clears the modules: 0.55 to 0.6 s after the run's last line, measured on SGD. Everything
    the run wrote is closed by then (the warehouse, the log, the lock), so nothing is lost when
    the collector is told to leave those objects alone: their memory goes back with the
    process.

    A thread still running (after an interruption, a dbt worker whose query DuckDB is
    stopping) is first given time to end: a thread that comes back from DuckDB's C++ code into
    an interpreter already shutting down is ended there, and that aborts the whole process
    ("FATAL: exception not rethrown") after the run's last line was printed."""
    wait_for_threads(THREADS_GRACE_SECONDS)
    gc.freeze()
    sys.exit(code)


def wait_for_threads(timeout: float) -> None:
    """Wait until every thread but this one has ended, or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


if __name__ == "__main__":
    exit_with(main())
