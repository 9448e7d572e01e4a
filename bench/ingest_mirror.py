"""Benchmark: a cold and an unchanged ingest of the mirror's SGD, printing time and peak memory.

    python bench/ingest_mirror.py [--mirror DIR] [--datasets sgd | --datasets all]

Each phase runs `run_pipeline.py --skip-build --allow-partial` in a fresh process on one
temporary data folder: `cold` on an empty folder, `unchanged` on the same folder again (no
file read: only their size and times are compared with the manifest), `force` with --force
(every file read, verified and converted again). Peak memory is that process's maximum
resident set size, as `/usr/bin/time -f %M` reports it. `python` is the start-up of a bare
interpreter, for reference. `--datasets all` ingests every registered dataset the mirror
has (the others are flagged incomplete). A benchmark, not a test: it prints, it asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_phase(name: str, command: list[str]) -> None:
    """Run one process to its end and print its wall time and peak RSS (exit on failure)."""
    with tempfile.TemporaryFile() as errors:
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        # wait4, not wait: the peak RSS of this child alone, not of every child so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{name} failed:\n{errors.read().decode(errors='replace')}")
    print(f"{name:<10} {seconds:7.2f} s   peak RSS {usage.ru_maxrss / 1024:6.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "raw")
    parser.add_argument("--datasets", default="sgd", help="comma-separated ids, or all")
    arguments = parser.parse_args()
    selection = [] if arguments.datasets == "all" else ["--datasets", arguments.datasets]
    print(f"ingest of {arguments.datasets} from {arguments.mirror}")
    run_phase("python", [sys.executable, "-c", "pass"])
    with tempfile.TemporaryDirectory() as data_dir:
        ingest = [
            sys.executable,
            "run_pipeline.py",
            "--mirror",
            str(arguments.mirror),
            *selection,
            "--allow-partial",
            "--skip-build",
            "--data-dir",
            data_dir,
        ]
        run_phase("cold", ingest)
        run_phase("unchanged", ingest)
        run_phase("force", [*ingest, "--force"])


if __name__ == "__main__":
    main()
