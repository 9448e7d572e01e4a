"""The Streamlit dashboard under streamlit.testing.v1.AppTest, on the fixture warehouse.

Every page runs without exception and shows what the warehouse holds: headline figures equal
counts queried here, charts are drawn, and the Data quality page's pass/warn/fail numbers,
which the dashboard reads from the build results recorded in the warehouse, equal those counted
from dbt's own run_results.json of the build that made it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import build_runner, dbt_results
from tests.support import DASHBOARD_PAGES, REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "streamlit_app.py")
TIMEOUT = 60


def charts(app: AppTest) -> list:
    return list(app.get("vega_lite_chart"))


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def count(warehouse: Path, sql: str, parameters=()) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters).fetchone()[0]


def has_table(warehouse: Path, name: str) -> bool:
    return bool(
        count(
            warehouse,
            "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
            [name],
        )
    )


@pytest.fixture(autouse=True)
def release_warehouse_connections():
    """Close the app's cached connections after each test (DuckDB keeps one attach per file
    and process, and later tests open the fixture warehouse read-write for dbt)."""
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def warehouse(fixture_warehouse, monkeypatch) -> Path:
    """The fixture warehouse, as the dashboard's configuration."""
    data_dir, _ = fixture_warehouse
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(data_dir / "warehouse.duckdb"))
    return data_dir / "warehouse.duckdb"


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    if page != "overview":
        app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert not app.error, [error.value for error in app.error]
    return app


@pytest.mark.parametrize(
    ("page", "title", "n_charts"),
    # The Models page has tests of its own below.
    [page for page in DASHBOARD_PAGES if page[0] != "models"],
)
def test_every_page_runs_and_draws_its_charts(warehouse, page, title, n_charts):
    app = open_page(page)
    assert [element.value for element in app.title] == [title]
    assert len(charts(app)) == n_charts
    assert not app.info, [info.value for info in app.info]


def test_overview_headline_figures_are_the_warehouse_counts(warehouse):
    shown = metrics(open_page("overview"))
    assert shown["Dialogues"] == f"{count(warehouse, 'select count(*) from dialogues'):,}"
    assert shown["Utterances"] == f"{count(warehouse, 'select count(*) from turns'):,}"
    assert shown["Pairs"] == f"{count(warehouse, 'select count(*) from utterance_pairs'):,}"
    assert (
        shown["Intent examples"] == f"{count(warehouse, 'select count(*) from intent_examples'):,}"
    )
    labels = count(
        warehouse, "select count(*) from (select distinct dataset, label from intent_examples)"
    )
    assert shown["Labels"] == f"{labels:,}"
    languages = count(warehouse, "select count(distinct language) from intent_examples")
    assert shown["Languages"] == str(languages)
    assert count(warehouse, "select count(*) from dialogues") > 0


def test_pretrain_filters_narrow_the_figures_to_the_selection(warehouse):
    app = open_page("pretrain")
    app.multiselect(key="pretrain_dataset").select("woz2").run()
    app.multiselect(key="pretrain_locale").select("de").run()
    assert not app.exception
    shown = metrics(app)
    expected = count(
        warehouse, "select count(*) from dialogues where dataset = 'woz2' and locale = 'de'"
    )
    assert expected > 0
    assert shown["Dialogues"] == f"{expected:,}"
    utterances = count(
        warehouse, "select count(*) from turns where dataset = 'woz2' and locale = 'de'"
    )
    assert shown["Utterances"] == f"{utterances:,}"
    table = app.dataframe[-1].value
    assert set(table["dataset"]) == {"woz2"} and set(table["locale"]) == {"de"}


def test_pairs_page_counts_each_pair_type(warehouse):
    shown = metrics(open_page("pairs"))
    for pair_type in ("next_turn", "context_response"):
        expected = count(
            warehouse, "select count(*) from utterance_pairs where pair_type = ?", [pair_type]
        )
        assert shown[pair_type] == f"{expected:,}"


def test_downstream_page_counts_examples_and_switches_table(warehouse):
    app = open_page("downstream")
    assert (
        metrics(app)["Examples"] == f"{count(warehouse, 'select count(*) from intent_examples'):,}"
    )
    app.radio(key="downstream_table").set_value("Dialogue intent examples").run()
    assert not app.exception
    expected = count(warehouse, "select count(*) from dialogue_intent_examples")
    assert metrics(app)["Examples"] == f"{expected:,}"


def statuses_in(run_results: Path) -> dict[str, int]:
    """Data-test statuses counted straight from dbt's run_results.json."""
    results = json.loads(run_results.read_text())["results"]
    counted: dict[str, int] = {}
    for result in results:
        if result["unique_id"].startswith("test."):
            counted[result["status"]] = counted.get(result["status"], 0) + 1
    return counted


def statuses_recorded_in(warehouse: Path) -> dict[str, int]:
    """Data-test statuses counted straight from the warehouse's build.node_results."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select status, count(*) from build.node_results "
            "where unique_id like 'test.%' group by status"
        ).fetchall()
    return dict(rows)


def test_data_quality_shows_the_test_counts_of_the_build_that_made_the_warehouse(
    warehouse, fixture_warehouse
):
    data_dir, summary = fixture_warehouse
    # dbt's own file of that same build, written beside it by the fixture build.
    expected = statuses_in(data_dir / "target" / "run_results.json")
    assert statuses_recorded_in(warehouse) == expected
    app = open_page("data_quality")
    shown = metrics(app)
    assert shown["Passed"] == f"{expected.get('pass', 0):,}"
    assert shown["Warned"] == f"{expected.get('warn', 0):,}"
    assert shown["Failed"] == f"{expected.get('fail', 0):,}"
    assert shown["Errored"] == f"{expected.get('error', 0):,}"
    assert expected.get("pass", 0) > 50 and expected.get("warn", 0) > 0
    # The line dbt printed at the end of the build, which BuildSummary counted too.
    captions = " ".join(caption.value for caption in app.caption)
    assert f"PASS={summary.passed} WARN={summary.warned} ERROR={summary.failed}" in captions
    # The table lists the tests that did not pass (the default selection: warn, fail, error).
    listed = app.dataframe[0].value
    not_passed = expected.get("warn", 0) + expected.get("fail", 0) + expected.get("error", 0)
    assert len(listed) == not_passed
    assert "published_statistics_unverified_sources" in set(listed["test"])
    # Each warned test says what it found, as the build printed it.
    unverified = listed.set_index("test").loc["published_statistics_unverified_sources"]
    assert unverified["failing_rows"].startswith(f"{unverified['failures']:,} rows found: ")


def test_data_quality_reports_failing_and_erroring_tests(warehouse, tmp_path, monkeypatch):
    """The results come from the warehouse on display: a copy with other results shows those."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        tests = [
            row[0]
            for row in connection.execute(
                "select unique_id from build.node_results where unique_id like 'test.%' "
                "and status = 'pass' order by unique_id limit 2"
            ).fetchall()
        ]
        model = connection.execute(
            "select unique_id from build.node_results where unique_id like 'model.%' "
            "order by unique_id limit 1"
        ).fetchone()[0]
        connection.execute(
            "update build.node_results set status = 'fail', failures = 3, "
            "message = 'Got 3 results, configured to fail if != 0' where unique_id = ?",
            [tests[0]],
        )
        connection.execute(
            "update build.node_results set status = 'error', failures = null, "
            "message = 'Runtime Error' where unique_id = ?",
            [tests[1]],
        )
        connection.execute(
            "update build.node_results set status = 'error', message = 'Runtime Error in model' "
            "where unique_id = ?",
            [model],
        )
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(copy))
    expected = statuses_recorded_in(copy)
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    app.switch_page("pages/data_quality.py").run()
    assert not app.exception
    shown = metrics(app)
    assert (shown["Failed"], shown["Errored"]) == ("1", "1")
    assert shown["Passed"] == f"{expected['pass']:,}"
    assert "1 node(s) other than data tests failed" in app.error[0].value
    assert app.dataframe[0].value["unique_id"].tolist() == [model]
    listed = app.dataframe[1].value
    assert listed["status"].iloc[:2].tolist() == ["error", "fail"]
    assert listed["failures"].iloc[1] == 3


def test_a_warehouse_without_build_results_says_so(warehouse, tmp_path, monkeypatch):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute("drop schema build cascade")
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(copy))
    app = open_page("data_quality")
    assert any("records no dbt results" in info.value for info in app.info)
    assert dbt_results.load(copy) is None


def test_dbt_status_line_counts_every_node_as_dbt_does(fixture_warehouse):
    data_dir, summary = fixture_warehouse
    results = dbt_results.load(data_dir / "warehouse.duckdb")
    assert results.command == "build"
    assert results.status_line["pass"] == summary.passed
    assert results.status_line["warn"] == summary.warned
    assert results.status_line["skip"] == summary.skipped
    assert results.status_line_text.startswith(f"Done. PASS={summary.passed} WARN=")
    # dbt's own run_results.json of the same build counts the same nodes.
    document = json.loads((data_dir / "target" / "run_results.json").read_text())
    assert results.status_line["total"] == len(document["results"])
    assert results.test_counts == {
        status: statuses_in(data_dir / "target" / "run_results.json").get(status, 0)
        for status in dbt_results.TEST_STATUSES
    }


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_models_page_says_no_evaluation_run_yet(warehouse, tmp_path, monkeypatch, state):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        if state == "missing":
            connection.execute("drop table if exists embedder_scores")
        else:  # the mart as the build makes it, its rows removed
            connection.execute("delete from embedder_scores")
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(copy))
    app = open_page("models")
    assert any("No evaluation run yet" in info.value for info in app.info)
    assert not charts(app)


def test_models_page_compares_runs_per_task_and_metric(warehouse, tmp_path, monkeypatch):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            """
            create or replace table embedder_scores as
            select
                run_id, model, model_revision,
                model || ' @ ' || model_revision as model_label,
                cast(null as varchar) as base_model, value * 100 as value_percent,
                dataset, locale, task, metric, value, n_examples, parameters, started_at, seconds,
                row_number() over (
                    partition by model, model_revision, dataset, locale, task, metric
                    order by started_at desc
                ) = 1 as is_latest_run
            from (values
                ('run1', 'model-a', 'abc', 'banking77', 'en', 'intent_classification', 'accuracy', 0.8, 100, '{}', timestamp '2026-01-01 10:00:00', 12.0),
                ('run1', 'model-a', 'abc', 'clinc150', 'en', 'intent_classification', 'accuracy', 0.7, 100, '{}', timestamp '2026-01-01 10:00:00', 12.0),
                ('run2', 'model-b', 'def', 'banking77', 'en', 'intent_classification', 'accuracy', 0.9, 100, '{}', timestamp '2026-01-02 10:00:00', 15.0),
                ('run2', 'model-b', 'def', 'banking77', 'en', 'response_selection', 'recall_at_1', 0.5, 50, '{}', timestamp '2026-01-02 10:00:00', 15.0),
                ('run0', 'model-a', 'abc', 'banking77', 'en', 'intent_classification', 'accuracy', 0.1, 100, '{}', timestamp '2025-01-01 10:00:00', 12.0)
            ) as scores (run_id, model, model_revision, dataset, locale, task, metric, value, n_examples, parameters, started_at, seconds)
            """
        )
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(copy))
    app = open_page("models")
    assert len(charts(app)) == 2  # intent_classification/accuracy, response_selection/recall_at_1
    assert metrics(app)["Models"] == "2"
    assert metrics(app)["Evaluation runs"] == "3"


FAKE_PIPELINE = """
import os, sys, time
from pathlib import Path
print("ingest: 1 dataset(s), 1 new and 0 unchanged files, 3 records in 0.1s", flush=True)
for done in range(1, 5):
    print(f"progress: build {done}/4 node_{done}", flush=True)
    time.sleep(0.05)
if os.environ.get("FAKE_PIPELINE_FAILS"):
    print("FAILED: BuildError: dbt build failed at 1 node(s): turns", file=sys.stderr)
    sys.exit(1)
print("build: 4 passed, 0 warned, 0 skipped in 0.2s", flush=True)
"""


@pytest.fixture
def fake_pipeline(monkeypatch, tmp_path):
    """The Build page's command replaced by a script that prints as the pipeline does; the
    command it would have run is recorded."""
    script = tmp_path / "fake_pipeline.py"
    script.write_text(FAKE_PIPELINE)
    asked: list[list[str]] = []

    def command(options):
        asked.append(real_command(options))
        return [sys.executable, "-u", str(script)]

    real_command = build_runner.pipeline_command
    monkeypatch.setattr(build_runner, "pipeline_command", command)
    monkeypatch.setenv("DW_DASHBOARD_BUILD", "1")
    yield asked
    build_runner._jobs().clear()


def wait_for_the_job() -> build_runner.BuildJob:
    job = build_runner.current_job()
    assert job is not None, "no build was started"
    deadline = time.monotonic() + 30
    while job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not job.running
    return job


def test_without_a_warehouse_the_app_builds_it_from_the_configured_mirror(
    tmp_path, monkeypatch, fake_pipeline
):
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("DW_MIRROR", str(tmp_path / "mirror"))
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert app.title[0].value == "Build the warehouse"
    assert "so the dashboard is building it" in app.info[0].value
    [asked] = fake_pipeline
    assert asked[asked.index("--mirror") + 1] == str(tmp_path / "mirror")
    assert "--allow-partial" in asked and "--datasets" not in asked
    job = wait_for_the_job()
    assert job.progress.succeeded and job.progress.fraction == 1.0
    assert job.progress.phase.startswith("build: 4 passed")
    assert [line for line in job.lines if line.startswith("progress:")] == [
        f"progress: build {done}/4 node_{done}" for done in range(1, 5)
    ]


def test_a_failed_build_shows_its_reason_and_output_and_is_not_restarted(
    tmp_path, monkeypatch, fake_pipeline
):
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("FAKE_PIPELINE_FAILS", "1")
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    wait_for_the_job()
    app.run()
    assert not app.exception
    assert app.error[0].value == "FAILED: BuildError: dbt build failed at 1 node(s): turns"
    assert (
        "progress: build" not in app.code[0].value and "ingest: 1 dataset(s)" in app.code[0].value
    )
    assert len(fake_pipeline) == 1  # shown, not started again on every rerun
    app.button(key="build_retry").click().run()
    assert len(fake_pipeline) == 2


def test_a_new_warehouse_file_is_picked_up_while_the_app_runs(warehouse, tmp_path, monkeypatch):
    """The pipeline renames a new file over the warehouse; the open app then shows the new data."""
    live = tmp_path / "warehouse.duckdb"
    shutil.copy2(warehouse, live)
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(live))
    app = open_page("overview")
    before = count(live, "select sum(n_dialogues) from pretrain_metrics")
    assert metrics(app)["Dialogues"] == f"{before:,}"
    rebuilt = tmp_path / "warehouse.duckdb.building"
    shutil.copy2(warehouse, rebuilt)
    with duckdb.connect(str(rebuilt)) as connection:
        connection.execute("update pretrain_metrics set n_dialogues = n_dialogues + 1000")
    os.replace(rebuilt, live)
    app.run()
    assert not app.exception
    added = 1000 * count(live, "select count(*) from pretrain_metrics")
    assert metrics(app)["Dialogues"] == f"{before + added:,}"


def test_explorer_opens_a_dialogue_and_lists_the_examples_of_a_label(warehouse):
    app = open_page("explorer")
    dialogue_id = app.selectbox(key="explorer_pick").value
    n_turns = count(warehouse, "select n_turns from dialogues where dialogue_id = ?", [dialogue_id])
    assert len(app.chat_message) == n_turns
    word = count(
        warehouse,
        "select lower(split_part(text, ' ', 1)) from turns where dialogue_id = ? order by turn_index",
        [dialogue_id],
    )
    app.text_input(key="explorer_search").input(word).run()
    found = app.dataframe[0].value
    expected = count(warehouse, "select count(*) from turns where contains(lower(text), ?)", [word])
    assert len(found) == min(expected, 200) and expected > 0
    app.text_input(key="explorer_dialogue_id").input("no:such:dialogue").run()
    assert any("No dialogue" in warning.value for warning in app.warning)
    dataset = app.selectbox(key="explorer_intent_dataset").value
    app.selectbox(key="explorer_intent_label").set_value(1).run()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        labels = connection.execute(
            "select distinct label from intent_examples where dataset = ? order by label", [dataset]
        ).fetchall()
    label = labels[1][0]
    examples = app.dataframe[-1].value
    expected = count(
        warehouse,
        "select count(*) from intent_examples where dataset = ? and label = ?",
        [dataset, label],
    )
    assert len(examples) == min(expected, 200) and expected > 0


def test_build_runner_streams_the_output_and_reads_the_progress_lines(tmp_path):
    script = "print('ingest: 2 new files'); print('\\x1b[32mprogress: build 5/20 turns\\x1b[0m')"
    lines = list(build_runner.run_lines([sys.executable, "-c", script], tmp_path / "w.duckdb"))
    assert lines == ["ingest: 2 new files", "progress: build 5/20 turns", "exit code 0"]
    progress = build_runner.BuildProgress()
    for line in [*lines[:2], "FAILED: BuildError: x", "exit code 1"]:
        progress.feed(line)
    assert (progress.done, progress.total, progress.fraction) == (5, 20, 0.25)
    assert progress.phase == "build 5 of 20: turns"
    assert progress.failure == "FAILED: BuildError: x" and not progress.succeeded
    command = build_runner.pipeline_command(
        build_runner.BuildOptions("../shared/data/raw", ("sgd", "woz2"), True, False)
    )
    assert command[-5:] == [
        "--mirror",
        "../shared/data/raw",
        "--datasets",
        "sgd,woz2",
        "--allow-partial",
    ]


def test_data_quality_names_each_warned_test_with_the_rows_it_found(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        warned = connection.execute(
            "select name, failing_rows from build.node_results "
            "where status = 'warn' and unique_id like 'test.%' order by name"
        ).fetchall()
    assert warned  # the fixture build warns (unverified published figures, schema drift)
    app = open_page("data_quality")
    shown = [warning.value for warning in app.warning]
    for name, found in warned:
        assert any(name in line and found in line for line in shown), (name, found, shown)
