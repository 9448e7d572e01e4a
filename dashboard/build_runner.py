"""Running the pipeline from the dashboard: the command, a background job every session
follows, and what its output says (stage, progress, outcome)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.queries import PROJECT_DIR, warehouse_path
from warehouse import config
from warehouse.console import PROGRESS_LINES_VARIABLE
from warehouse.run_lock import is_locked, read_holder

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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
    """The data folder a build from the dashboard writes (warehouse.config)."""
    return config.paths().data_dir


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
    """The configured mirror folder ($DW_MIRROR), or '' to download from upstream."""
    configured = config.mirror()
    return str(configured) if configured is not None else ""


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


def pipeline_environment(warehouse: Path | None = None) -> dict[str, str]:
    """The pipeline's environment: this dashboard's data folder and warehouse, progress lines."""
    configured = config.Paths(data_dir=data_folder(), warehouse=Path(warehouse or warehouse_path()))
    return {
        **os.environ,
        **config.environment(configured),
        PROGRESS_LINES_VARIABLE: "1",
        "PYTHONUNBUFFERED": "1",
    }


def start_pipeline(command: list[str], warehouse: Path) -> subprocess.Popen:
    """Start the command in the project folder for the warehouse, its output and errors as
    one stream of text lines."""
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=pipeline_environment(warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )


def run_lines(command: list[str], warehouse: Path) -> Iterator[str]:
    """Run the command in the project folder, yielding its output lines as they come.

    The last value yielded is "exit code N".
    """
    with start_pipeline(command, warehouse) as process:
        assert process.stdout is not None
        for line in process.stdout:
            yield ANSI_ESCAPE.sub("", line.rstrip("\n"))
        process.wait()
    yield f"exit code {process.returncode}"


# "progress: build 12/164 int_pair_candidates" (warehouse.console, DW_PROGRESS_LINES=1).
PROGRESS_LINE = re.compile(
    r"^progress: (?P<stage>\S+) (?P<done>\d+)/(?P<total>\d+) ?(?P<detail>.*)$"
)


@dataclass
class BuildProgress:
    """What the pipeline's output says so far: the stage, its count, the outcome."""

    phase: str = "starting"
    stage: str = ""
    done: int = 0
    total: int = 0
    exit_code: int | None = None
    failure: str | None = None

    def feed(self, line: str) -> None:
        """Take one output line of run_lines()."""
        progress = PROGRESS_LINE.match(line)
        if progress is not None:
            self.stage = progress["stage"]
            self.done, self.total = int(progress["done"]), int(progress["total"])
            detail = f": {progress['detail']}" if progress["detail"] else ""
            self.phase = f"{self.stage} {self.done} of {self.total}{detail}"
        elif line.startswith(("ingest", "build", "export")):
            self.phase = line
        elif line.startswith("FAILED"):
            self.failure = line
        elif line.startswith("exit code "):
            self.exit_code = int(line.removeprefix("exit code "))

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


class BuildJob:
    """One pipeline run started from the dashboard, in the background: every session of the
    dashboard follows the same run. Its output is kept whole; cancel() stops it as SIGTERM
    does (the pipeline then removes its temporary files and keeps the previous warehouse)."""

    def __init__(self, command: list[str], warehouse: Path) -> None:
        self.command = command
        self.lines: list[str] = []
        self.progress = BuildProgress()
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._follow, args=(warehouse,), name="dashboard-build", daemon=True
        )
        self._process: subprocess.Popen | None = None
        self._started = threading.Event()
        self._thread.start()
        self._started.wait(timeout=30)

    def _follow(self, warehouse: Path) -> None:
        try:
            process = start_pipeline(self.command, warehouse)
        except OSError as error:
            self._take(f"FAILED: could not start the pipeline: {error}")
            self._take("exit code 1")
            self._started.set()
            return
        self._process = process
        self._started.set()
        assert process.stdout is not None
        for line in process.stdout:
            self._take(ANSI_ESCAPE.sub("", line.rstrip("\n")))
        process.wait()
        self._take(f"exit code {process.returncode}")

    def _take(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)
            self.progress.feed(line)

    @property
    def running(self) -> bool:
        return self.progress.exit_code is None

    def tail(self, count: int) -> list[str]:
        """The last output lines, progress lines left out."""
        with self._lock:
            shown = [line for line in self.lines if not PROGRESS_LINE.match(line)]
        return shown[-count:]

    def cancel(self) -> None:
        if self._process is not None and self.running:
            self._process.send_signal(signal.SIGTERM)


@st.cache_resource
def _jobs() -> dict[str, BuildJob]:
    """The dashboard's build jobs by data folder, shared by every session."""
    return {}


def current_job() -> BuildJob | None:
    """The job of this dashboard's data folder: running, or the last one that ended."""
    return _jobs().get(str(data_folder()))


def start_job(options: BuildOptions) -> BuildJob:
    """Start the pipeline in the background for this dashboard's data folder."""
    job = BuildJob(pipeline_command(options), warehouse_path())
    _jobs()[str(data_folder())] = job
    return job


def forget_job() -> None:
    """Drop the data folder's finished job (to start afresh)."""
    _jobs().pop(str(data_folder()), None)
