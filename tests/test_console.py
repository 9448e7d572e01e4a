"""What the pipeline prints: bars on a terminal, one line per stage plus warnings elsewhere.

dbt's own output never reaches the console (it goes to <data dir>/logs/dbt.log); each warning is
one line saying what the test found; a failed build names its failing nodes, the last line
being `FAILED: ...`.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingest.registry import REGISTRY
from ingest.runner import ensure_placeholders
from run_pipeline import follow_ingest
from tests.support import copy_data_folder, run_pipeline_cli
from warehouse import state
from warehouse.build import describe_failing_rows
from warehouse.console import Console

ESCAPE = "\x1b"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_without_a_terminal_only_lines_are_written():
    stream = io.StringIO()
    console = Console(stream)
    progress = console.progress("ingest", total=3)
    for _ in range(3):
        progress.update(advance=1, detail="file", force=True)
    console.warn("ingest", "[sgd] 1 of 3 files missing")
    console.line("ingest: done")
    assert not console.interactive
    assert stream.getvalue() == "ingest: WARN [sgd] 1 of 3 files missing\ningest: done\n"


def test_on_a_terminal_a_bar_is_drawn_and_cleared_before_each_line():
    stream = Terminal()
    console = Console(stream)
    progress = console.progress("build", total=4)
    progress.update(advance=2, detail="stg_sgd__dialogues", force=True)
    assert stream.getvalue().startswith("\rbuild [" + "#" * 12 + "." * 12 + "] 2/4 stg_sgd")
    console.line("build: done")
    written = stream.getvalue()
    assert written.endswith("\rbuild: done\n") and ESCAPE not in written
    assert console.interactive


def test_ingest_messages_advance_the_bar_and_missing_files_warn():
    stream = io.StringIO()
    console = Console(stream)
    progress = console.progress("ingest", total=3)
    on_message = follow_ingest(console, progress)
    on_message("[sgd] checking 3 upstream files in mirror /m")
    on_message("[sgd] 1 of 3 files missing")
    on_message("[sgd 1/3] train/a.json: 128 records (mirror)")
    on_message("[sgd 2/3] train/b.json: unchanged, 12 records kept")
    on_message("[sgd 3/3] test/c.json: MISSING, recorded as such (--allow-partial)")
    on_message("WARN [sgd] train/a.json: 1 key kept in _extra (turns[].emotion)")
    on_message("[sgd] 140 records from 1 new and 1 unchanged files, INCOMPLETE, 0.1s")
    assert progress.done == 3
    assert stream.getvalue() == (
        "ingest: WARN [sgd] 1 of 3 files missing\n"
        "ingest: WARN [sgd] train/a.json: 1 key kept in _extra (turns[].emotion)\n"
    )


def test_the_first_converted_file_and_only_it_starts_loading_dbt():
    """Unchanged and missing files leave dbt unloaded (an up-to-date run never needs it)."""
    console = Console(io.StringIO())
    calls = []
    on_message = follow_ingest(
        console, console.progress("ingest", total=4), on_conversion=lambda: calls.append(1)
    )
    on_message("[sgd 1/4] train/a.json: unchanged, 12 records kept (file not read again)")
    on_message("[sgd 2/4] train/b.json: MISSING, recorded as such (--allow-partial)")
    assert calls == []
    on_message("[sgd 3/4] train/c.json: 1,128 records (mirror, duckdb)")
    on_message("[sgd 4/4] test/d.json: 7 records (mirror, python)")
    assert calls == [1]


def test_failing_rows_are_described_by_their_first_text_values():
    connection = duckdb.connect()
    connection.execute(
        "create table comparison as select * from (values "
        "('sgd', 'train', 'dialogues', 16142), ('sgd', 'test', 'dialogues', 4201), "
        "('woz2', 'test', 'dialogues', 400), ('kvret', 'dev', 'turns', 1)) "
        "as t(dataset, split, statistic, published)"
    )
    # A test's code may end with a comment: the query must still close. Rows come sorted,
    # so a rerun names the same ones.
    sql = "select * from comparison\n-- reported, not failed"
    assert describe_failing_rows(connection, sql, 4) == (
        "4 rows found: kvret/dev/turns, sgd/test/dialogues, sgd/train/dialogues, …"
    )
    one = "select * from comparison where dataset = 'kvret'"
    assert describe_failing_rows(connection, one, 1) == "1 row found: kvret/dev/turns"
    assert describe_failing_rows(connection, "select * from nowhere", 2) is None


def run_cli(*arguments: str, data_dir: Path) -> subprocess.CompletedProcess:
    return run_pipeline_cli(
        *arguments, data_dir=data_dir, timeout=600, unset=("DW_WAREHOUSE_PATH",)
    )


@pytest.fixture
def data_copy(fixture_warehouse, tmp_path) -> Path:
    data_dir, _ = fixture_warehouse
    return copy_data_folder(data_dir, tmp_path / "data")


def test_a_build_without_a_terminal_prints_a_line_per_stage_and_each_warning(data_copy):
    project = state.project_fingerprint()
    result = run_cli("--skip-ingest", "--force", data_dir=data_copy)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert ESCAPE not in result.stdout + result.stderr and "\r" not in result.stdout
    lines = result.stdout.splitlines()
    warnings = [line for line in lines if line.startswith("build: WARN ")]
    assert lines == [*warnings, lines[-1]] and lines[-1].startswith("build: ")
    assert " passed, " in lines[-1] and "dbt log at " in lines[-1]
    unverified = next(line for line in warnings if "published_statistics_unverified" in line)
    assert " rows found: " in unverified and "configured to warn" not in unverified
    named = unverified.split(" rows found: ", 1)[1].removesuffix(", …").split(", ")
    assert len(set(named)) == len(named) > 1, named  # each row named apart from the others
    assert result.stderr == ""
    log = data_copy / "logs" / "dbt.log"
    assert log.is_file() and "Running with dbt=" in log.read_text(encoding="utf-8")
    # Now up to date: one line, and the file stays (unless someone edited the project
    # meanwhile: then it rightly rebuilds).
    modified = (data_copy / "warehouse.duckdb").stat().st_mtime_ns
    again = run_cli("--skip-ingest", data_dir=data_copy)
    assert again.returncode == 0, again.stderr
    if state.project_fingerprint() == project:
        assert again.stdout.splitlines() == [again.stdout.strip()]
        assert again.stdout.startswith("build: warehouse up to date")
        assert (data_copy / "warehouse.duckdb").stat().st_mtime_ns == modified


def test_a_failed_build_names_the_failing_nodes_and_ends_with_failed(tmp_path):
    data_dir = tmp_path / "data"
    ensure_placeholders(list(REGISTRY.values()), data_dir / "raw")
    broken = data_dir / "raw" / "camrest676" / "dialogues" / "no_records.parquet"
    broken.write_bytes(b"not parquet")
    result = run_cli("--skip-ingest", data_dir=data_dir)
    assert result.returncode == 1
    assert ESCAPE not in result.stdout + result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("FAILED: BuildError: dbt build failed at 1 node(s): ")
    assert last.endswith(f"(dbt log: {data_dir / 'logs' / 'dbt.log'})")
    # Before it, one line per failing node saying what went wrong.
    [detail] = [line for line in result.stdout.splitlines() if line.startswith("build: ERROR")]
    node = detail.removeprefix("build: ERROR ").split(":")[0]
    assert f"failed at 1 node(s): {node} " in last
    assert "no_records.parquet" in detail and "Parquet" in detail
    assert not (data_dir / "warehouse.duckdb").exists()


def dbt_event(name: str, level: str = "debug", msg: str = "", **data):
    """A stand-in for the EventMsg dbtRunner hands its callbacks."""
    from types import SimpleNamespace

    return SimpleNamespace(
        info=SimpleNamespace(name=name, level=level, msg=msg), data=SimpleNamespace(**data)
    )


def node_info(name: str, resource_type: str = "model", materialized: str = "table"):
    from types import SimpleNamespace

    return SimpleNamespace(node_name=name, resource_type=resource_type, materialized=materialized)


def test_dbt_events_drive_the_bar_and_dbt_warnings_become_one_line_each():
    from warehouse.build import DbtProgress

    console = Console(io.StringIO())
    following = DbtProgress(console.progress("build"))
    following(dbt_event("ConcurrencyLine", "info", node_count=3))
    following(dbt_event("NodeFinished", node_info=node_info("stg_sgd", materialized="ephemeral")))
    following(dbt_event("NodeFinished", node_info=node_info("turns")))
    following(dbt_event("NodeFinished", node_info=node_info("pairs_work", "unit_test", "unit")))
    following(dbt_event("LogTestResult", "warn", "1 of 3 WARN 6 published_statistics"))
    following(dbt_event("RunResultWarningMessage", "warn", "Got 6 results"))
    deprecation = "The `tests` config\n  has been renamed to `data_tests`."
    following(dbt_event("DeprecatedModel", "warn", deprecation))
    following(dbt_event("DeprecatedModel", "warn", deprecation))
    assert (following.progress.done, following.progress.total) == (2, 4)
    assert following.warnings == ["The `tests` config has been renamed to `data_tests`."]


def test_a_failed_unit_test_s_line_carries_no_colour_codes():
    # dbt colours a unit test's diff ("actual differs from expected") even when no terminal
    # shows it; the build's one-line summary must not pass the codes on.
    from types import SimpleNamespace

    from warehouse.build import node_outcomes

    node = SimpleNamespace(unique_id="unit_test.p.m.t", name="t", resource_type="unit_test")
    result = SimpleNamespace(
        node=node,
        status="fail",
        failures=1,
        message="\x1b[32mactual\x1b[0m differs from \x1b[31mexpected\x1b[0m:\n@@ ,a",
        execution_time=0.1,
    )
    [outcome] = node_outcomes([result], connection=None)
    assert outcome.line == "t: actual differs from expected: @@ ,a"
