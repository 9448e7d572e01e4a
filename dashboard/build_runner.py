"""Running the pipeline from the dashboard: the command, and its output line by line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.queries import PROJECT_DIR, warehouse_path
from warehouse.run_lock import is_locked, read_holder

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# dbt prints "12 of 335 START ..." / "12 of 335 OK ..." per node.
DBT_NODE = re.compile(r"\b(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")


# DW_DASHBOARD_BUILD: 1 enables the Build page (and any build started from the dashboard)
# whatever address the dashboard listens on, 0 disables it; unset, it is enabled only when the
# dashboard listens on the loopback interface (its default, .streamlit/config.toml).
BUILD_SWITCH = "DW_DASHBOARD_BUILD"
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})


def listens_on_loopback_only() -> bool:
    """Whether the server is bound to the loopback interface (an unset address: every one)."""
    return (st.get_option("server.address") or "") in LOOPBACK_ADDRESSES


def build_allowed() -> bool:
    """Whether this dashboard may start the pipeline (see BUILD_SWITCH)."""
    switch = os.environ.get(BUILD_SWITCH, "").strip().lower()
    if switch in ("1", "true", "yes", "on"):
        return True
    if switch in ("0", "false", "no", "off"):
        return False
    return listens_on_loopback_only()


def data_folder() -> Path:
    """The data folder a build from the dashboard writes: $DW_DATA_DIR, else data/."""
    folder = Path(os.environ.get("DW_DATA_DIR", "data"))
    return folder if folder.is_absolute() else PROJECT_DIR / folder


def running_build() -> str | None:
    """Who holds the lock of the data folder or the warehouse's folder, or None."""
    for folder in dict.fromkeys([data_folder(), warehouse_path().parent]):
        if is_locked(folder):
            return read_holder(folder).describe()
    return None


@dataclass(frozen=True)
class BuildOptions:
    """What the user picked on the Build page."""

    mirror: str = ""
    datasets: tuple[str, ...] = ()
    allow_partial: bool = True
    force: bool = False


def registered_datasets() -> list[str]:
    """Dataset ids of the registry."""
    from ingest.registry import REGISTRY

    return list(REGISTRY)


def default_mirror() -> str:
    """../shared/data/raw (relative to the project) where that folder exists, else ''."""
    mirror = PROJECT_DIR.parent / "shared" / "data" / "raw"
    return "../shared/data/raw" if mirror.is_dir() else ""


def pipeline_command(options: BuildOptions) -> list[str]:
    """`python run_pipeline.py` with the chosen options."""
    command = [sys.executable, "-u", str(PROJECT_DIR / "run_pipeline.py")]
    if options.mirror.strip():
        command += ["--mirror", options.mirror.strip()]
    if options.datasets:
        command += ["--datasets", ",".join(options.datasets)]
    if options.allow_partial:
        command.append("--allow-partial")
    if options.force:
        command.append("--force")
    return command


def run_lines(command: list[str], warehouse: Path) -> Iterator[str]:
    """Run the command in the project folder, yielding its output lines as they come.

    The last value yielded is "exit code N".
    """
    environment = {**os.environ, "DW_WAREHOUSE_PATH": str(warehouse), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            yield ANSI_ESCAPE.sub("", line.rstrip("\n"))
        process.wait()
    yield f"exit code {process.returncode}"


def dbt_progress(line: str) -> tuple[int, int] | None:
    """(nodes done, nodes in all) from a dbt node line, else None."""
    match = DBT_NODE.search(line)
    if match is None or match.group(3) == "START":
        return None
    return int(match.group(1)), int(match.group(2))


@dataclass
class BuildProgress:
    """What the pipeline's output says so far: the phase, dbt nodes done, the outcome."""

    phase: str = "starting"
    nodes_done: int = 0
    nodes_total: int = 0
    exit_code: int | None = None
    failure: str | None = None

    def feed(self, line: str) -> None:
        """Take one output line of run_lines()."""
        nodes = dbt_progress(line)
        if nodes is not None:
            # dbt's threads finish nodes out of order: keep the furthest one.
            self.nodes_done = max(self.nodes_done, nodes[0])
            self.nodes_total = nodes[1]
            self.phase = f"dbt build: {self.nodes_done} of {self.nodes_total} nodes"
        elif line.startswith(("[", "ingest")):
            self.phase = f"ingest: {line}"
        elif line.startswith("build"):  # the pipeline's build lines (dbt itself prints none)
            self.phase = line
        elif line.startswith("FAILED"):
            self.failure = line
        elif line.startswith("exit code "):
            self.exit_code = int(line.removeprefix("exit code "))

    @property
    def fraction(self) -> float:
        return self.nodes_done / self.nodes_total if self.nodes_total else 0.0

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0
