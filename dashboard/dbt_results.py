"""The dbt results of the build that made a warehouse, read from that warehouse (schema `build`).

warehouse/build.py writes them into the file it builds, before the file replaces the previous
warehouse, so the results shown always belong to the warehouse shown. Counts follow dbt's own:
the status line dbt prints at the end of a build ("Done. PASS=.. WARN=.. ERROR=.. SKIP=..
NO-OP=.. TOTAL=..") counts every node, as dbt's interpret_run_result does; the data-test counts
take the nodes whose unique_id starts with "test." (unit tests, "unit_test.", are counted
apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.state import BUILD_SCHEMA, NODE_RESULTS_TABLE, RUNS_TABLE

TEST_STATUSES = ("pass", "warn", "fail", "error", "skipped")
STATUS_ORDER = ("error", "fail", "warn")  # tests listed first
TEST_COLUMNS = [
    "test",
    "status",
    "failures",
    "failing_rows",
    "message",
    "model",
    "column",
    "test_type",
    "severity",
    "seconds",
    "unique_id",
]


@dataclass(frozen=True)
class RunResults:
    """The results of one build, as recorded in its warehouse."""

    warehouse: str
    build_id: str
    command: str
    command_line: str | None
    started_at: datetime
    finished_at: datetime
    elapsed_seconds: float
    versions: dict[str, str]
    tests: pd.DataFrame  # one row per data test
    unit_tests: pd.DataFrame
    failed_nodes: pd.DataFrame  # models, seeds, unit tests that errored or failed
    status_line: dict[str, int] = field(default_factory=dict)

    @property
    def test_counts(self) -> dict[str, int]:
        """Data tests per status: pass, warn, fail, error, skipped."""
        counts = self.tests["status"].value_counts() if not self.tests.empty else {}
        return {status: int(counts.get(status, 0)) for status in TEST_STATUSES}

    @property
    def status_line_text(self) -> str:
        """The line dbt prints at the end, from the same counts."""
        line = self.status_line
        return (
            f"Done. PASS={line['pass']} WARN={line['warn']} ERROR={line['error']} "
            f"SKIP={line['skip']} NO-OP={line['noop']} TOTAL={line['total']}"
        )


def has_results(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's current database records its build (warehouses built before
    build results were recorded in them do not)."""
    found = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? "
        "and table_name in ('runs', 'node_results')",
        [BUILD_SCHEMA],
    ).fetchone()[0]
    return found == 2


def _utc(value) -> datetime:
    """A timestamp the build stored as UTC without a zone, as an aware datetime."""
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=UTC)


def read(connection: duckdb.DuckDBPyConnection, warehouse: str = "") -> RunResults | None:
    """The newest build's results in the connection's current database, or None without any."""
    if not has_results(connection):
        return None
    runs = connection.execute(f"select * from {RUNS_TABLE} order by finished_at desc limit 1").df()
    if runs.empty:
        return None
    run = runs.iloc[0]
    nodes = connection.execute(
        f"select * from {NODE_RESULTS_TABLE} where build_id = ? order by unique_id",
        [run["build_id"]],
    ).df()
    renamed = nodes.rename(
        columns={
            "name": "test",
            "tested_model": "model",
            "tested_column": "column",
            "execution_seconds": "seconds",
        }
    )
    # Unit tests and data tests alike are named by the part of unique_id after the project.
    renamed["test"] = renamed["unique_id"].str.split(".", n=2).str[-1]
    is_data_test = renamed["unique_id"].str.startswith("test.")
    is_unit_test = renamed["unique_id"].str.startswith("unit_test.")
    tests = renamed[is_data_test].reindex(columns=TEST_COLUMNS)
    if not tests.empty:
        order = {status: position for position, status in enumerate(STATUS_ORDER)}
        tests = (
            tests.assign(_order=tests["status"].map(order).fillna(len(order)))
            .sort_values(["_order", "test"])
            .drop(columns="_order")
        )
    failed = renamed[~is_data_test & renamed["status"].isin(["error", "fail"])]
    return RunResults(
        warehouse=warehouse,
        build_id=str(run["build_id"]),
        command=str(run["dbt_command"]),
        command_line=None if pd.isna(run["command_line"]) else str(run["command_line"]),
        started_at=_utc(run["started_at"]),
        finished_at=_utc(run["finished_at"]),
        elapsed_seconds=float(run["elapsed_seconds"]),
        versions={
            "dbt-core": str(run["dbt_core_version"]),
            "dbt-duckdb": str(run["dbt_duckdb_version"]),
            "duckdb": str(run["duckdb_version"]),
        },
        tests=tests.reset_index(drop=True),
        unit_tests=renamed[is_unit_test].reset_index(drop=True),
        failed_nodes=failed.reindex(columns=["unique_id", "status", "message"]).reset_index(
            drop=True
        ),
        status_line={
            "pass": int(run["n_pass"]),
            "warn": int(run["n_warn"]),
            "error": int(run["n_error"]),
            "skip": int(run["n_skip"]),
            "noop": int(run["n_noop"]),
            "total": int(run["n_total"]),
        },
    )


def load(warehouse: Path) -> RunResults | None:
    """The results recorded in the warehouse file (opened read-only), or None without any."""
    if not Path(warehouse).is_file():
        return None
    # Attached to an in-memory database, not connect(path): DuckDB shares one instance per
    # path within a process, and a later build renames a new file over this one.
    with duckdb.connect() as connection:
        connection.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        connection.execute("use warehouse")
        results = read(connection, str(warehouse))
        connection.execute("use memory")
        connection.execute("detach warehouse")
    return results
