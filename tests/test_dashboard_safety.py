"""The dashboard with a warehouse it cannot show, and its Build page's safeguards (AppTest).

Every broken warehouse state gives a page that says what is wrong and what to do, never a
traceback; the Build page is off when the dashboard listens beyond this machine (unless
enabled), and says so when another run holds the data folder's lock.
"""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support import REPO_ROOT
from warehouse.run_lock import DataFolderLock

APP = str(REPO_ROOT / "dashboard" / "streamlit_app.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def fresh_caches():
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def run_app(warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(warehouse))
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def problem_shown(app: AppTest) -> str:
    assert app.title[0].value == "The warehouse cannot be shown"
    return app.error[0].value


def test_a_folder_in_place_of_the_warehouse(tmp_path, monkeypatch):
    folder = tmp_path / "warehouse.duckdb"
    folder.mkdir()
    assert "is a folder, not a warehouse file" in problem_shown(run_app(folder, monkeypatch))


def test_an_empty_file(tmp_path, monkeypatch):
    empty = tmp_path / "warehouse.duckdb"
    empty.write_bytes(b"")
    assert "empty file (0 bytes)" in problem_shown(run_app(empty, monkeypatch))


def test_a_file_that_is_not_a_duckdb_database(tmp_path, monkeypatch):
    garbage = tmp_path / "warehouse.duckdb"
    garbage.write_bytes(b"this is not a database\n" * 500)
    message = problem_shown(run_app(garbage, monkeypatch))
    assert "is not a DuckDB database" in message and "run_pipeline.py" in message


def test_a_database_without_tables_and_one_of_an_older_version(tmp_path, monkeypatch):
    empty_database = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty_database)).close()
    assert "holds no tables" in problem_shown(run_app(empty_database, monkeypatch))
    older = tmp_path / "older.duckdb"
    with duckdb.connect(str(older)) as connection:
        connection.execute("create table turns (turn_id varchar)")
        connection.execute("create table dialogues (dialogue_id varchar)")
    message = problem_shown(run_app(older, monkeypatch))
    assert "built by an older version" in message and "main.utterance_pairs" in message


def test_a_warehouse_locked_by_a_writer(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table turns (turn_id varchar)")
    # Another process holds the file open for writing, as `dbt` writing in place would.
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('open', flush=True);"
            " time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        message = problem_shown(run_app(warehouse, monkeypatch))
        assert "is locked by another process" in message
    finally:
        writer.kill()
        writer.wait()


def test_the_build_page_is_off_when_the_dashboard_is_exposed(tmp_path, monkeypatch):
    monkeypatch.setenv("DW_DASHBOARD_BUILD", "0")
    app = run_app(tmp_path / "missing.duckdb", monkeypatch)
    assert app.title[0].value == "Build the warehouse"
    assert "Building from the dashboard is off" in app.info[0].value
    assert not app.button  # no way to start a build


def test_an_unset_address_counts_as_exposed(monkeypatch):
    """Streamlit listens on every interface when server.address is unset."""
    from dashboard import build_runner

    monkeypatch.delenv("DW_DASHBOARD_BUILD", raising=False)
    for address, allowed in (("", False), ("0.0.0.0", False), ("127.0.0.1", True), ("::1", True)):
        monkeypatch.setattr(build_runner.st, "get_option", lambda name, value=address: value)
        assert build_runner.build_allowed() is allowed, address
    monkeypatch.setenv("DW_DASHBOARD_BUILD", "1")
    assert build_runner.build_allowed()  # exposed, but enabled explicitly


def test_the_project_binds_the_dashboard_to_loopback():
    config = (REPO_ROOT / ".streamlit" / "config.toml").read_text()
    assert 'address = "127.0.0.1"' in config


def test_the_build_page_says_a_build_is_running(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DW_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DW_DASHBOARD_BUILD", "1")
    with DataFolderLock(data_dir, "python run_pipeline.py --datasets sgd"):
        app = run_app(data_dir / "warehouse.duckdb", monkeypatch)
    [running] = [w.value for w in app.warning if "A build is already running" in w.value]
    assert "--datasets sgd" in running
    assert not app.button
