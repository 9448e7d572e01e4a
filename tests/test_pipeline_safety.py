"""The pipeline under concurrency, signals and a hostile data folder name (real processes).

Each test runs `run_pipeline.py` in subprocesses on a copy of the fixture run's data folder,
named with a quote, spaces, parentheses and a non-ASCII letter, so every path the pipeline
hands DuckDB or dbt is exercised with characters that break unquoted SQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.support import REPO_ROOT, copy_data_folder
from warehouse.run_lock import LOCK_FILE_NAME, is_locked

HOSTILE_NAME = "it's data (copy) é"
TEMPORARY_SUFFIXES = (".building", ".building.wal", ".work", ".work.wal")


@pytest.fixture
def data_copy(fixture_warehouse, tmp_path) -> Path:
    data_dir, _ = fixture_warehouse
    return copy_data_folder(data_dir, tmp_path / HOSTILE_NAME)


def start(data_dir: Path, *arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "run_pipeline.py", *arguments],
        cwd=REPO_ROOT,
        env={**os.environ, "DW_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    return process.returncode, stdout, stderr


def wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def build_id(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select build_id from build.runs").fetchone()[0]


def leftovers(data_dir: Path) -> list[str]:
    return sorted(
        path.name
        for path in data_dir.iterdir()
        if path.name.endswith(TEMPORARY_SUFFIXES) or ".ingesting." in path.name
    )


def test_a_second_run_refuses_while_the_first_builds_and_both_leave_a_whole_warehouse(
    data_copy,
):
    first = start(data_copy, "--skip-ingest", "--force")
    wait_for(lambda: is_locked(data_copy), "the first run took the lock", first)
    second = start(data_copy, "--skip-ingest", "--force")
    code, _, stderr = finish(second)
    assert code == 1
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("FAILED: DataFolderBusyError: ")
    assert f"in use by process {first.pid} (python run_pipeline.py --skip-ingest --force" in last
    code, stdout, stderr = finish(first)
    assert code == 0, stdout[-2000:] + stderr[-2000:]
    with duckdb.connect(str(data_copy / "warehouse.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from turns").fetchone()[0] > 0
        assert connection.execute("select count(*) from build.runs").fetchone()[0] == 1
    assert leftovers(data_copy) == []
    assert not is_locked(data_copy)  # released at exit; the file says who held it last
    assert (data_copy / LOCK_FILE_NAME).is_file()
    # The process ends without the collector's passes (run_pipeline.exit_with): what it wrote
    # was closed before. No DuckDB file is left with a write-ahead log to replay, and dbt's
    # log holds the run's last line.
    assert sorted(path.name for path in data_copy.glob("*.wal")) == []
    log_tail = (data_copy / "logs" / "dbt.log").read_text().rstrip().splitlines()[-3:]
    assert any("Command `cli build` succeeded" in line for line in log_tail), log_tail


def test_the_process_ends_without_collecting_what_the_run_left_in_memory(monkeypatch):
    import run_pipeline

    calls = []
    monkeypatch.setattr(run_pipeline, "wait_for_threads", lambda timeout: calls.append("wait"))
    monkeypatch.setattr(run_pipeline.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(run_pipeline.sys, "exit", lambda code: calls.append(("exit", code)))
    run_pipeline.exit_with(3)
    assert calls == ["wait", "freeze", ("exit", 3)]


def test_the_process_waits_for_a_thread_still_running_before_it_ends():
    """A thread still in a query when the run ends (a dbt worker after an interruption) ends
    before the interpreter shuts down; one that never ends does not hold the process."""
    import run_pipeline

    release = threading.Event()
    finishing = threading.Thread(target=release.wait, args=(30,), daemon=True)
    finishing.start()
    threading.Timer(0.2, release.set).start()
    run_pipeline.wait_for_threads(5)  # threads other tests left may take part of it
    assert not finishing.is_alive()

    stuck = threading.Event()
    never_ending = threading.Thread(target=stuck.wait, daemon=True)
    never_ending.start()
    run_pipeline.wait_for_threads(0.1)
    assert never_ending.is_alive()
    stuck.set()


@pytest.mark.parametrize(
    ("sent", "exit_code", "name"),
    [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_a_signal_mid_build_exits_cleanly_and_keeps_the_previous_warehouse(
    data_copy, sent, exit_code, name
):
    before = build_id(data_copy / "warehouse.duckdb")
    run = start(data_copy, "--skip-ingest", "--force")
    building = data_copy / "warehouse.duckdb.building"
    wait_for(building.exists, "dbt began writing the new warehouse", run)
    time.sleep(1.0)  # well inside the build
    run.send_signal(sent)
    code, _, stderr = finish(run, timeout=120)
    assert code == exit_code, stderr[-3000:]
    lines = stderr.strip().splitlines()
    assert lines[-1] == (
        f"FAILED: build interrupted ({name}): the raw store is as ingested and the previous "
        "warehouse is unchanged"
    )
    assert not any(line.startswith("Traceback") for line in lines)
    assert leftovers(data_copy) == []
    assert build_id(data_copy / "warehouse.duckdb") == before


def test_exports_work_from_a_hostile_data_folder_name(data_copy, tmp_path):
    target = tmp_path / f"exports of {HOSTILE_NAME}"
    run = start(data_copy, "--skip-ingest", "--skip-build", "--export", str(target))
    code, stdout, stderr = finish(run)
    assert code == 0, stderr[-3000:]
    assert stdout.strip().splitlines()[-1].startswith(f"export: written to {target}")
    assert any(target.rglob("*.parquet"))


def test_sigterm_mid_ingest_leaves_whole_dataset_folders_and_no_work_folders(tmp_path):
    """Interrupted while SGD is being converted (the real mirror), after CamRest676 finished."""
    from tests.support import require_mirror

    data_dir = tmp_path / HOSTILE_NAME
    run = start(
        data_dir,
        "--mirror",
        str(require_mirror()),
        "--datasets",
        "camrest676,sgd",
        "--allow-partial",
        "--skip-build",
    )
    raw = data_dir / "raw"
    wait_for(
        lambda: (
            (raw / "camrest676" / "manifest.parquet").exists()
            and any(path.name.startswith(".sgd.ingesting.") for path in raw.iterdir())
        ),
        "SGD's ingest began",
        run,
    )
    run.send_signal(signal.SIGTERM)
    code, _, stderr = finish(run, timeout=120)
    assert code == 143, stderr[-3000:]
    assert stderr.strip().splitlines()[-1].startswith("FAILED: ingest interrupted (SIGTERM): ")
    assert sorted(path.name for path in raw.iterdir()) == ["camrest676"]  # whole, and no work
    assert (raw / "camrest676" / "manifest.parquet").is_file()


@pytest.mark.parametrize("target", ["folder", "someone's file"])
def test_a_warehouse_path_the_build_may_not_replace_is_refused_before_any_work(tmp_path, target):
    """DW_WAREHOUSE_PATH at a folder, or at a file that is not a DuckDB database: the run stops
    at once (not after a whole build), says why in one line, and leaves it as it was."""
    data_dir = tmp_path / HOSTILE_NAME
    warehouse = tmp_path / "warehouse.duckdb"
    if target == "folder":
        warehouse.mkdir()
        (warehouse / "kept.txt").write_text("mine", encoding="utf-8")
    else:
        warehouse.write_text("my notes, not a database\n", encoding="utf-8")
    before = sorted(path.name for path in tmp_path.rglob("*"))
    run = subprocess.run(
        [sys.executable, "run_pipeline.py", "--datasets", "camrest676"],
        cwd=REPO_ROOT,
        env={**os.environ, "DW_DATA_DIR": str(data_dir), "DW_WAREHOUSE_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    [last] = run.stderr.strip().splitlines()[-1:]
    expected = "is a folder, not a file" if target == "folder" else "is not a DuckDB database"
    assert last.startswith(f"FAILED: BuildError: warehouse path {warehouse} ") and expected in last
    assert "ingest:" not in run.stdout  # nothing was read or written
    assert sorted(path.name for path in tmp_path.rglob("*")) == before
    if target == "folder":
        assert (warehouse / "kept.txt").read_text(encoding="utf-8") == "mine"
    else:
        assert warehouse.read_text(encoding="utf-8") == "my notes, not a database\n"
