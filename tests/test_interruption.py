"""A signal that lands while the main thread runs a DuckDB query is still an interruption.

DuckDB may check the signal itself during a query, stop it and raise an error of its own
(`RuntimeError: Query interrupted`), and Python's KeyboardInterrupt then never comes: the CI run
once caught a Ctrl-C landing while the build wrote its docs site, and the run finished as if
nothing had happened. Whether DuckDB sees the signal depends on where the query is, so these
tests play its part deterministically: the signal is sent, its handler runs, and the exception
it raised is replaced by DuckDB's error.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import run_pipeline
import warehouse.build
import warehouse.docs_site
from warehouse import interruption


def query_stopped_by(signal_number: int) -> None:
    """What a DuckDB query does when the signal comes while it runs in the main thread."""
    try:
        os.kill(os.getpid(), signal_number)
        time.sleep(5)  # the handler runs (and raises) before this ends
    except KeyboardInterrupt:
        raise RuntimeError("Query interrupted") from None
    raise AssertionError("the signal's handler did not run")


def test_the_handlers_remember_a_signal_whose_exception_was_replaced():
    with interruption.signals_handled():
        with pytest.raises(RuntimeError, match="Query interrupted"):
            query_stopped_by(signal.SIGTERM)
        assert interruption.received() == signal.SIGTERM
        with pytest.raises(interruption.Terminated):
            interruption.raise_if_received()
    assert interruption.received() is None  # forgotten once the run is over
    interruption.raise_if_received()  # raises nothing


@pytest.mark.parametrize(
    ("signal_number", "expected"),
    [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, interruption.Terminated)],
)
def test_the_docs_site_step_does_not_swallow_a_signal(
    tmp_path: Path, monkeypatch, signal_number, expected
):
    """Its errors become a warning and the build goes on, but not an interruption's."""
    monkeypatch.setattr(
        warehouse.docs_site,
        "write_docs_site",
        lambda *arguments: query_stopped_by(signal_number),
    )
    with pytest.raises(expected), interruption.signals_handled():
        warehouse.build._write_docs(tmp_path / "w", tmp_path, tmp_path / "raw", tmp_path / "s")


def test_without_a_signal_a_docs_site_failure_is_a_warning(tmp_path: Path, monkeypatch):
    def fail(*arguments):
        raise RuntimeError("catalog unreadable")

    monkeypatch.setattr(warehouse.docs_site, "write_docs_site", fail)
    with interruption.signals_handled():
        warning = warehouse.build._write_docs(tmp_path / "w", tmp_path, tmp_path / "r", tmp_path)
    assert "catalog unreadable" in warning


@pytest.mark.parametrize(
    ("signal_number", "code", "name"),
    [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_the_pipeline_reports_a_query_stopped_by_a_signal_as_interrupted(
    monkeypatch, capsys, signal_number, code, name
):
    def run(arguments, console):
        arguments.stage = "build"
        query_stopped_by(signal_number)

    monkeypatch.setattr(run_pipeline, "run", run)
    handlers_before = [signal.getsignal(number) for number in interruption.HANDLED]
    assert run_pipeline.main(["--skip-ingest"]) == code
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"FAILED: build interrupted ({name}): ")
    # The handlers are the ones before the run again (SIG_IGN for SIGINT in a background job).
    assert [signal.getsignal(number) for number in interruption.HANDLED] == handlers_before
