"""Up to date means instant: the build's fingerprint, recorded in the warehouse, decides.

An unchanged rerun neither invokes nor imports dbt and leaves the warehouse file as it is; a
changed raw manifest, model, var or evaluation result, or --force, rebuilds.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import warehouse.build
from ingest.registry import dbt_vars
from tests.support import REPO_ROOT, copy_data_folder
from warehouse import state
from warehouse.build import build_warehouse


class DbtInvoked(Exception):
    """Raised by the stand-in for run_dbt: the build went as far as invoking dbt."""


def snapshot_project(folder: Path) -> Path:
    """A copy of the dbt project's inputs (others may edit models/ while the tests run)."""
    for name in state.PROJECT_INPUTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def stamp(data_dir: Path, project_dir: Path = state.PROJECT_DIR) -> str:
    """Record in the data folder's warehouse the fingerprint of its inputs as they are now,
    as if it had just been built from them; returns it."""
    fingerprint = state.compute_fingerprint(
        data_dir / "raw", data_dir / "evaluations", dbt_vars(), project_dir
    ).value
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as connection:
        connection.execute("update build.runs set fingerprint = ?", [fingerprint])
    return fingerprint


@pytest.fixture
def data_copy(fixture_warehouse, tmp_path, monkeypatch) -> Path:
    """A copy of the fixture run's data folder (raw, evaluations, warehouse) to change, built
    (as its record says) from a snapshot of the project that the build now uses."""
    data_dir, _ = fixture_warehouse
    copy = copy_data_folder(data_dir, tmp_path / "data")
    project = snapshot_project(tmp_path / "project")
    monkeypatch.setattr(warehouse.build, "PROJECT_DIR", project)
    stamp(copy, project)
    return copy


@pytest.fixture
def dbt_calls(monkeypatch) -> list[list[str]]:
    """run_dbt replaced: each call is recorded and raises DbtInvoked."""
    calls: list[list[str]] = []

    def fake_run_dbt(arguments, *_, **__):
        calls.append(arguments)
        raise DbtInvoked

    monkeypatch.setattr(warehouse.build, "run_dbt", fake_run_dbt)
    return calls


def build(data_dir: Path, **options):
    options.setdefault("dbt_vars", dbt_vars())
    return build_warehouse(data_dir / "warehouse.duckdb", data_dir / "raw", **options)


def assert_rebuilds(data_dir: Path, dbt_calls: list, **options) -> None:
    """The build invokes dbt, and the warehouse file stays as it was meanwhile."""
    modified = (data_dir / "warehouse.duckdb").stat().st_mtime_ns
    before = len(dbt_calls)
    with pytest.raises(DbtInvoked):
        build(data_dir, **options)
    assert len(dbt_calls) == before + 1 and dbt_calls[-1][0] == "build"
    assert (data_dir / "warehouse.duckdb").stat().st_mtime_ns == modified


def test_the_warehouse_records_the_fingerprint_of_what_it_was_built_from(fixture_warehouse):
    data_dir, summary = fixture_warehouse
    expected = state.compute_fingerprint(
        data_dir / "raw", data_dir / "evaluations", dbt_vars(), state.PROJECT_DIR
    )
    assert not summary.up_to_date
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        run = connection.execute(
            "select fingerprint, project_fingerprint, evaluations_fingerprint, dbt_vars, "
            "dbt_core_version, n_pass, n_warn, n_total from build.runs"
        ).fetchall()
        per_dataset = dict(
            connection.execute(
                "select dataset, raw_fingerprint from build.dataset_fingerprints"
            ).fetchall()
        )
        nodes = connection.execute("select count(*) from build.node_results").fetchone()[0]
    [(fingerprint, project, evaluations, recorded_vars, dbt_core, *counts)] = run
    assert fingerprint == summary.fingerprint and len(project) == 64
    assert evaluations == expected.evaluations
    assert json.loads(recorded_vars) == dbt_vars()
    assert dbt_core == expected.versions["dbt-core"]
    assert counts == [summary.passed, summary.warned, nodes]
    assert per_dataset == {name: ds.fingerprint for name, ds in expected.datasets.items()}
    assert set(per_dataset) >= set(dbt_vars()["dialogue_datasets"])
    # The whole is the hash of its parts: the same parts give the recorded value.
    rebuilt = state.Fingerprint(
        datasets=expected.datasets,
        project=project,
        evaluations=evaluations,
        dbt_vars=dbt_vars(),
        versions=expected.versions,
    )
    assert rebuilt.value == fingerprint


def test_insert_rows_writes_every_row_as_given_in_one_statement():
    with duckdb.connect() as connection:
        connection.execute(
            "create table results (name varchar primary key, failures bigint, seconds double)"
        )
        rows = [["a", None, 0.5], ["b", 3, 1.0], ["c", 0, None]]
        state.insert_rows(connection, "results", rows)
        state.insert_rows(connection, "results", [])  # nothing to insert: nothing happens
        state.insert_rows(
            connection, "results", [["b", 4, 2.5]], statement="insert or replace into"
        )
        stored = connection.execute("select * from results order by name").fetchall()
    assert stored == [("a", None, 0.5), ("b", 4, 2.5), ("c", 0, None)]


def test_an_unchanged_rerun_neither_imports_dbt_nor_replaces_the_warehouse(data_copy):
    """`python run_pipeline.py --skip-ingest` on an up-to-date warehouse: one line, exit 0."""
    script = (
        "import sys, run_pipeline\n"
        "code = run_pipeline.main(['--skip-ingest'])\n"
        "print('dbt modules:', sorted(m for m in sys.modules if m.split('.')[0] == 'dbt'))\n"
        "sys.exit(code)\n"
    )
    environment = {**os.environ, "DW_DATA_DIR": str(data_copy)}
    environment.pop("DW_WAREHOUSE_PATH", None)
    stamp(data_copy)  # the subprocess builds from the live project
    modified = (data_copy / "warehouse.duckdb").stat().st_mtime_ns
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("build: warehouse up to date"), lines
    assert lines[1:] == ["dbt modules: []"]
    assert (data_copy / "warehouse.duckdb").stat().st_mtime_ns == modified
    assert not (data_copy / "warehouse.duckdb.building").exists()
    assert seconds < 10, seconds  # ~1 s; generous for a loaded machine


def test_unchanged_inputs_are_up_to_date_and_force_rebuilds(data_copy, dbt_calls):
    summary = build(data_copy)
    assert summary.up_to_date and dbt_calls == []
    assert_rebuilds(data_copy, dbt_calls, force=True)


def test_a_changed_raw_manifest_triggers_a_rebuild(data_copy, dbt_calls):
    manifest = data_copy / "raw" / "camrest676" / state.MANIFEST_NAME
    original = pq.read_table(manifest)
    rows = original.to_pylist()
    rows[0]["git_blob_sha1"] = "0" * 40  # upstream changed the file
    pq.write_table(pa.Table.from_pylist(rows, schema=original.schema), manifest)
    assert_rebuilds(data_copy, dbt_calls)
    # Rewriting the same rows with new timestamps is no change.
    rows = original.to_pylist()
    for row in rows:
        row["ingested_at"] = None
    pq.write_table(pa.Table.from_pylist(rows, schema=original.schema), manifest)
    assert build(data_copy).up_to_date


def test_a_changed_raw_parquet_file_triggers_a_rebuild(data_copy, dbt_calls):
    raw_file = next(
        path
        for path in (data_copy / "raw" / "woz2").rglob("*.parquet")
        if path.name != state.MANIFEST_NAME
    )
    raw_file.write_bytes(raw_file.read_bytes() + b"\0")
    assert_rebuilds(data_copy, dbt_calls)


def test_a_changed_model_triggers_a_rebuild(data_copy, dbt_calls, tmp_path):
    # The same files in another folder are the same project.
    other = shutil.copytree(warehouse.build.PROJECT_DIR, tmp_path / "other")
    assert state.project_fingerprint(other) == state.project_fingerprint(
        warehouse.build.PROJECT_DIR
    )
    assert build(data_copy).up_to_date
    model = next((warehouse.build.PROJECT_DIR / "models" / "marts").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    assert_rebuilds(data_copy, dbt_calls)


def test_changed_vars_or_evaluation_results_trigger_a_rebuild(data_copy, dbt_calls):
    assert_rebuilds(data_copy, dbt_calls, dbt_vars={**dbt_vars(), "pair_min_words": 5})
    placeholder = data_copy / "evaluations" / "no_results.parquet"
    shutil.copy2(placeholder, data_copy / "evaluations" / "run-1.parquet")
    assert_rebuilds(data_copy, dbt_calls)


def test_a_warehouse_without_a_build_record_is_rebuilt(data_copy, dbt_calls):
    with duckdb.connect(str(data_copy / "warehouse.duckdb")) as connection:
        connection.execute("drop schema build cascade")
    assert state.recorded_build(data_copy / "warehouse.duckdb") is None
    assert_rebuilds(data_copy, dbt_calls)


def test_every_dbt_invocation_gets_the_vars(monkeypatch, tmp_path):
    """run_dbt passes --vars: the given ones, else the registry's dataset lists; dbt runs with
    the build's garbage collection thresholds, and the caller's come back afterwards."""
    invoked: list[list[str]] = []
    thresholds_while_running = []

    class FakeRunner:
        def __init__(self, callbacks=None):
            pass

        def invoke(self, arguments):
            invoked.append(arguments)
            thresholds_while_running.append(gc.get_threshold())

    import dbt.cli.main

    monkeypatch.setattr(dbt.cli.main, "dbtRunner", FakeRunner)
    raw = tmp_path / "raw"
    callers_thresholds = gc.get_threshold()
    warehouse.build.run_dbt(["build"], tmp_path / "w.duckdb", raw)
    warehouse.build.run_dbt(["build"], tmp_path / "w.duckdb", raw, dbt_vars={"a": [1]})
    assert thresholds_while_running == [warehouse.build.DBT_GC_THRESHOLDS] * 2
    assert callers_thresholds != warehouse.build.DBT_GC_THRESHOLDS
    assert gc.get_threshold() == callers_thresholds
    passed = [json.loads(arguments[arguments.index("--vars") + 1]) for arguments in invoked]
    assert passed == [dbt_vars(), {"a": [1]}]
    assert all(arguments[arguments.index("--log-path") + 1] for arguments in invoked)


def test_dbt_connection_outlives_the_run_for_inspection(fixture_warehouse, tmp_path):
    """inspect() sees the `work` database of intermediates (and `staged`, of the unions),
    which a test's failing rows may lie in; afterwards the intermediates are dropped, so DuckDB
    does not write out on closing a work file the build deletes anyway, and the built file is
    free to open again."""
    data_dir, _ = fixture_warehouse
    seen = []

    def inspect(result, connection):
        seen.append(
            connection.execute(
                "select count(*) from work.intermediate.int_dialogues_screened"
            ).fetchone()[0]
        )

    built = tmp_path / "part.duckdb"
    work = tmp_path / "part.duckdb.work"
    result = warehouse.build.run_dbt(
        ["build", "--select", "+int_dialogues_screened", "--indirect-selection", "cautious"],
        built,
        data_dir / "raw",
        target_dir=tmp_path / "target",
        log_dir=tmp_path / "logs",
        quiet=True,
        inspect=inspect,
        work_path=work,
    )
    assert result.success, result.exception
    assert seen and seen[0] > 0
    with duckdb.connect(str(built)) as connection:
        assert connection.execute("select 1").fetchone() == (1,)
        connection.execute(f"attach '{work}' as work (read_only)")
        left = connection.execute(
            "select count(*) from duckdb_tables() where database_name = 'work'"
        ).fetchone()[0]
    assert left == 0


def test_a_build_in_a_new_data_folder_reuses_the_saved_parse(fixture_warehouse, tmp_path):
    """dbt sees the same profile from every data folder, so the parse an earlier build saved
    (the fixture build's) spares a new folder dbt's full parse of the project."""
    data_dir, _ = fixture_warehouse
    assert warehouse.build.PARSE_CACHE.is_file()
    new_folder = tmp_path / "another data folder"
    result = warehouse.build.run_dbt(
        ["parse"],
        new_folder / "warehouse.duckdb.building",  # the paths a build gives dbt
        data_dir / "raw",
        quiet=True,
        target_dir=new_folder / "target",
        log_dir=new_folder / "logs",
        work_path=new_folder / "warehouse.duckdb.work",  # as a build's
        staged_path=new_folder / "warehouse.duckdb.staged",
        share_parse=True,
    )
    assert result.success, result.exception
    log = (new_folder / "logs" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log
    assert Path.cwd() != new_folder  # dbt ran in the warehouse's folder, and came back


def test_unit_tests_run_once_per_version_of_the_code(data_copy, dbt_calls, tmp_path, monkeypatch):
    """A build runs dbt's unit tests unless a build of this checkout passed them for the same
    project, vars and versions; one that ran and passed them records that."""
    record = tmp_path / "unit_tests_passed.txt"
    monkeypatch.setattr(warehouse.build, "UNIT_TESTS_PASSED", record)
    with pytest.raises(DbtInvoked):
        build(data_copy, force=True)
    assert "unit_test" not in dbt_calls[-1]  # no record: they run
    fingerprint = state.compute_fingerprint(
        data_copy / "raw", data_copy / "evaluations", dbt_vars(), warehouse.build.PROJECT_DIR
    )
    staging = warehouse.build.staging_cache.staging_fingerprint(fingerprint)
    record.write_text(f"another\n{staging}\n")
    with pytest.raises(DbtInvoked):
        build(data_copy, force=True)
    arguments = dbt_calls[-1]
    assert arguments[arguments.index("--exclude-resource-type") + 1] == "unit_test"
    warehouse.build._record_unit_tests_passed("newer")
    assert record.read_text().split() == ["another", staging, "newer"]


def test_a_spark_build_has_a_fingerprint_of_its_own(fixture_warehouse):
    """The same inputs built on Spark are another build (a DuckDB build of them is not up to
    date for Spark, nor the other way round), and the DuckDB fingerprint is what it was
    before builds had a target."""
    data_dir, summary = fixture_warehouse
    inputs = (data_dir / "raw", data_dir / "evaluations", dbt_vars())
    duckdb_build = state.compute_fingerprint(*inputs)
    spark_build = state.compute_fingerprint(*inputs, target="spark")
    assert duckdb_build.value == summary.fingerprint
    assert spark_build.value != duckdb_build.value
    assert set(state.SPARK_PACKAGES) <= set(spark_build.versions)
    assert not set(state.SPARK_PACKAGES) & set(duckdb_build.versions)


@pytest.mark.parametrize("missing", ["pyspark", "java"])
def test_a_spark_build_without_spark_says_what_to_install(tmp_path, monkeypatch, missing):
    """Without the spark extra or Java, --target spark stops in one line saying what to
    install, before it writes anything."""
    import importlib.util

    from warehouse import spark
    from warehouse.build import BuildError

    if missing == "pyspark":
        find_spec = importlib.util.find_spec
        monkeypatch.setattr(
            spark.importlib.util,
            "find_spec",
            lambda name: None if name == "pyspark" else find_spec(name),
        )
    else:
        monkeypatch.setattr(spark.shutil, "which", lambda name: None)
    with pytest.raises(BuildError, match="pip install -e '.\\[spark\\]'|openjdk-17"):
        spark.build_on_spark(tmp_path / "warehouse.duckdb", tmp_path / "raw")
    assert list(tmp_path.iterdir()) == []
