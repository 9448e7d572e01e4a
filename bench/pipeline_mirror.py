"""Benchmark: the pipeline on the mirror, beside DuckDB alone flattening SGD, with time and memory.

    python bench/pipeline_mirror.py [--mirror DIR] [--datasets sgd] [--whole-mirror]
                                    [--reference-command "CMD"]

Each phase runs `run_pipeline.py` in a fresh process on a temporary data folder and prints its
wall time and peak RSS (the process tree's maximum resident set size):

- cold:     ingest and build --datasets from nothing;
- sql:      the cold build's SQL replayed without dbt (bench/replay_build_sql.py), one node
            at a time, then two at a time as dbt runs them: the time of its queries alone;
- no-op:    the same command again, nothing changed (the warehouse should be up to date);
- touched:  camrest676 ingested beside them, then one of its raw files marked changed;
- rebuilt:  the same warehouse built again from nothing staged (`--force`, the staged file
            removed): the full rebuild the touched build is measured against;
- whole:    with --whole-mirror, every dataset of the mirror, cold, in a fresh folder.

The floor is DuckDB alone reading the mirror's SGD JSON and flattening it to turns. A
--reference-command (e.g. the scripts this project replaces) is timed the same way, in the
same run. Sizes: raw Parquet and the warehouse file. A benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
REPLAY_SCRIPT = REPO_ROOT / "bench" / "replay_build_sql.py"
PEAK_RSS_FORMAT = "%M"  # GNU time: the maximum resident set size in KiB


def timed(name: str, command: list[str], environment: dict[str, str] | None = None) -> None:
    """Run a command under GNU time; print its wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        started = time.monotonic()
        completed = subprocess.run(
            ["/usr/bin/time", "-f", PEAK_RSS_FORMAT, "-o", rss_file.name, *command],
            cwd=REPO_ROOT,
            env={**os.environ, **(environment or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        seconds = time.monotonic() - started
        peak_kib = int(rss_file.read().strip().splitlines()[-1] or 0)
    last_line = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    status = "" if completed.returncode == 0 else f"  EXIT {completed.returncode}"
    figures = f"{seconds:7.1f} s  peak RSS {peak_kib / 1024:6.0f} MiB{status}"
    print(f"{name:<10} {figures}  | {last_line}")


def pipeline(data_dir: Path, *arguments: str) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "run_pipeline.py", *arguments], {"DW_DATA_DIR": str(data_dir)}


def duckdb_floor(mirror: Path) -> None:
    """DuckDB alone: read every SGD dialogue file of the mirror and flatten it to turns."""
    files = sorted(str(path) for path in (mirror / "sgd").glob("*/dialogues_*.json*"))
    script = (
        "import duckdb, sys\n"
        "files = sys.argv[1:]\n"
        "connection = duckdb.connect()\n"
        "rows = connection.execute(\n"
        "    'select count(*) from (select unnest(turns, recursive := false) as turn '\n"
        "    'from read_json(?, format = \\'array\\', maximum_object_size = 1 << 28))',\n"
        "    [files],\n"
        ").fetchone()[0]\n"
        "print(f'{rows:,} turns')\n"
    )
    timed("floor", [sys.executable, "-c", script, *files])


def size_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file()) / 2**20


def sizes(data_dir: Path) -> None:
    raw = size_mib(data_dir / "raw")
    warehouse = size_mib(data_dir / "warehouse.duckdb")
    print(
        f"{'sizes':<10} raw Parquet {raw:6.1f} MiB, warehouse {warehouse:6.1f} MiB "
        f"({warehouse / raw:.1f}x raw)"
    )


def counts(data_dir: Path) -> None:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select dataset, count(*), sum(n_turns) from dialogues group by 1 order by 1"
        ).fetchall()
    for dataset, dialogues, turns in rows:
        print(f"{'':<10} {dataset:<12} {dialogues:>8,} dialogues {turns:>9,} turns")


def touch_one_raw_file(data_dir: Path, dataset: str) -> None:
    """Mark one of a dataset's ingested files changed, as a new upstream version would."""
    manifest = data_dir / "raw" / dataset / "manifest.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * replace (case when row_number() over () = 1 then "
            f"'0000000000000000000000000000000000000000' else git_blob_sha1 end as git_blob_sha1) "
            f"from read_parquet('{manifest}')) to '{manifest}.new' (format parquet)"
        )
    os.replace(f"{manifest}.new", manifest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "raw")
    parser.add_argument("--datasets", default="sgd")
    parser.add_argument("--whole-mirror", action="store_true")
    parser.add_argument("--reference-command", help="another command to time beside ours")
    arguments = parser.parse_args()
    mirror = arguments.mirror.resolve()
    common = ["--mirror", str(mirror), "--allow-partial"]

    if arguments.reference_command:
        timed("reference", shlex.split(arguments.reference_command))
    duckdb_floor(mirror)
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = Path(temporary)
        timed("cold", *pipeline(data_dir, *common, "--datasets", arguments.datasets))
        for threads in ("1", "2"):
            timed(
                f"sql x{threads}",
                [sys.executable, str(REPLAY_SCRIPT), str(data_dir), "--threads", threads],
            )
        timed("no-op", *pipeline(data_dir, *common, "--datasets", arguments.datasets))
        sizes(data_dir)
        counts(data_dir)
        timed("+small", *pipeline(data_dir, *common, "--datasets", "camrest676"))
        touch_one_raw_file(data_dir, "camrest676")
        timed("touched", *pipeline(data_dir, "--skip-ingest"))
        # The staged datasets belong to the project and may be deleted at any time: without
        # them, every dataset is staged again.
        (data_dir / "warehouse.duckdb.staged").unlink()
        timed("rebuilt", *pipeline(data_dir, "--skip-ingest", "--force"))
    if arguments.whole_mirror:
        with tempfile.TemporaryDirectory() as temporary:
            data_dir = Path(temporary)
            timed("whole", *pipeline(data_dir, *common))
            sizes(data_dir)


if __name__ == "__main__":
    main()
