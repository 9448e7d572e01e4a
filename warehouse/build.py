"""Building the warehouse with dbt: into a temporary DuckDB file, renamed into place on success.

A failed build leaves the previous warehouse file untouched and readable. A successful one
records itself in the file it built (schema `build`: the run, every node's result, the
fingerprint of its inputs per dataset), so every reader takes the results of the build that
made the warehouse it reads. When the warehouse already records the fingerprint a build would
have, nothing is built, and dbt is not even imported.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from embedder_eval.results import ensure_results_placeholder
from warehouse import interruption, staging_cache, state
from warehouse.console import Console, Progress

PROJECT_DIR = state.PROJECT_DIR
FAILING_ROWS_SHOWN = 3  # failing rows named in a warning line
VALUES_PER_ROW = 4  # text values that name one failing row
VALUE_CHARACTERS = 40
MESSAGE_CHARACTERS = 300
# dbt's interpret_run_result: node status -> the word of its final status line.
STATUS_LINE_WORD = {
    "error": "error",
    "fail": "error",
    "partial success": "error",
    "runtime error": "error",
    "skipped": "skip",
    "warn": "warn",
    "pass": "pass",
    "success": "pass",
    "no-op": "noop",
}
STATUS_LINE_WORDS = ("pass", "warn", "error", "skip", "noop")


class BuildError(RuntimeError):
    """dbt build failed; the message names the failing nodes, `details` says why, one line each."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.details = tuple(details)


@dataclass(frozen=True)
class BuildSummary:
    """Counts of dbt node results of one build (all zero when the warehouse was up to date)."""

    passed: int
    warned: int
    failed: int
    skipped: int
    warnings: tuple[str, ...]
    up_to_date: bool = False
    fingerprint: str = ""
    built_at: datetime | None = None  # when the warehouse's build finished (UTC)
    log_path: Path | None = None
    status_line: dict[str, int] = field(default_factory=dict)

    @classmethod
    def up_to_date_as(
        cls, recorded: state.RecordedBuild, fingerprint: state.Fingerprint, log_path: Path
    ) -> BuildSummary:
        """Nothing built: the warehouse already records a build of this fingerprint."""
        return cls(
            passed=0,
            warned=0,
            failed=0,
            skipped=0,
            warnings=(),
            up_to_date=True,
            fingerprint=fingerprint.value,
            built_at=recorded.finished_at,
            log_path=log_path,
        )


DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of every DuckDB database file
DUCKDB_MAGIC_OFFSET = 8


def check_warehouse_target(warehouse_path: Path) -> None:
    """Refuse, before any work, a warehouse path the build could not or must not replace: a
    folder, or a file that is not a DuckDB database (someone's file, never the project's)."""
    path = Path(warehouse_path)
    if path.is_dir():
        raise BuildError(
            f"warehouse path {path} is a folder, not a file: set DW_WAREHOUSE_PATH to a file "
            f"(e.g. {path / 'warehouse.duckdb'}) or unset it"
        )
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as stream:
            stream.seek(DUCKDB_MAGIC_OFFSET)
            if stream.read(len(DUCKDB_MAGIC)) != DUCKDB_MAGIC:
                raise BuildError(
                    f"warehouse path {path} is a file that is not a DuckDB database; the build "
                    "replaces the warehouse file, so it refuses to overwrite it: move it away or "
                    "set DW_WAREHOUSE_PATH elsewhere"
                )


def default_evaluations_dir(raw_dir: Path) -> Path:
    """Where embedder evaluation results live: `evaluations/` beside the raw folder."""
    return raw_dir.resolve().parent / "evaluations"


def default_dbt_vars() -> dict[str, Any]:
    """The vars every dbt invocation gets unless told otherwise: the registry's dataset lists."""
    from ingest.registry import dbt_vars

    return dbt_vars()


def preload_dbt() -> threading.Thread:
    """Import dbt and its DuckDB adapter in a background thread (about 2.5 s of imports), so a
    run that ingests first does not wait for them when its build starts; the build's own
    import then finds them loaded (or waits for the thread to finish them)."""

    def load() -> None:
        try:
            import dbt.adapters.duckdb  # noqa: F401
            import dbt.cli.main  # noqa: F401
        except Exception:  # the build's own import reports any real problem
            pass

    thread = threading.Thread(target=load, name="preload-dbt", daemon=True)
    thread.start()
    return thread


def run_dbt(
    arguments: list[str],
    warehouse_path: Path,
    raw_dir: Path,
    target_dir: Path | None = None,
    evaluations_dir: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    callbacks: Sequence[Callable[[Any], None]] = (),
    log_dir: Path | None = None,
    quiet: bool = False,
    inspect: Callable[[Any, duckdb.DuckDBPyConnection | None], None] | None = None,
    work_path: Path | None = None,
    share_parse: bool = False,
    staged_path: Path | None = None,
    restage: str = "*",
    extra_environment: Mapping[str, str] | None = None,
):
    """Invoke dbt in-process on this project with the warehouse, raw and results paths set.

    Every invocation gets `--vars` (dbt_vars, else the registry's dataset lists), keeps its
    artifacts in target_dir (default `target/` beside the raw folder) and writes its log
    without colours to log_dir (default `logs/` beside the raw folder). quiet: nothing on the
    console, the full debug log in the file. inspect(result, connection), where given, runs
    after dbt finished, on dbt's own database connection (None if dbt never opened one), while
    the build's `work` database of intermediates still exists. work_path: the DuckDB file the
    intermediates go to (default: in memory), which DuckDB can page out under its memory limit.
    share_parse: start from, and afterwards save, the parse shared by the pipeline's builds
    (PARSE_CACHE), which only invocations with the build's profile can use. staged_path: the
    DuckDB file the unions of the staged datasets are kept in between builds (default: in
    memory); restage: the datasets to stage again, comma-separated, or `*` for all.
    extra_environment: more variables the profile reads (DW_SPARK_DIR for the Spark target).
    """
    from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import

    raw_dir = Path(raw_dir).resolve()
    evaluations_dir = (evaluations_dir or default_evaluations_dir(raw_dir)).resolve()
    target_dir = Path(target_dir or raw_dir.parent / "target").resolve()
    log_dir = Path(log_dir or raw_dir.parent / "logs").resolve()
    dbt_vars = default_dbt_vars() if dbt_vars is None else dict(dbt_vars)
    # dbt parses the whole project again whenever a value of its profile changes, and the
    # database paths are such values; it parses a file again when an env var the file reads
    # changes, as the raw and results folders are for every source file. dbt runs in the
    # warehouse's folder with these paths given relative to it, so builds in any data folder
    # show dbt the same profile and sources, and the parse saved by an earlier build
    # (PARSE_CACHE) is reused: a new data folder costs no parse of the project.
    run_dir = Path(warehouse_path).resolve().parent
    environment = {
        "DW_WAREHOUSE_PATH": _relative_to(Path(warehouse_path), run_dir),
        "DW_RAW_DIR": _relative_to(raw_dir, run_dir),
        "DW_EVALUATIONS_DIR": _relative_to(evaluations_dir, run_dir),
        "DW_WORK_PATH": _relative_to(work_path, run_dir) if work_path is not None else ":memory:",
        "DW_STAGED_PATH": (
            _relative_to(staged_path, run_dir) if staged_path is not None else ":memory:"
        ),
        "DW_RESTAGE_DATASETS": restage,
        **(extra_environment or {}),
    }
    if share_parse:
        _seed_parse(target_dir)
    console = ["--log-level", "none", "--log-level-file", "debug"] if quiet else []
    keeper = KeepDatabaseOpen(warehouse_path) if inspect is not None else None
    callbacks = [*callbacks, keeper] if keeper is not None else list(callbacks)
    previous = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    previous_dir = os.getcwd()
    run_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(run_dir)
    previous_thresholds = gc.get_threshold()
    gc.set_threshold(*DBT_GC_THRESHOLDS)
    try:
        result = dbtRunner(callbacks=callbacks).invoke(
            [
                *arguments,
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(target_dir),
                "--log-path",
                str(log_dir),
                "--no-use-colors-file",
                "--no-send-anonymous-usage-stats",
                "--vars",
                json.dumps(dbt_vars),
                *console,
            ]
        )
        if inspect is not None:
            inspect(result, keeper.cursor())
        if work_path is not None and keeper is not None:
            _empty_work_database(keeper.cursor())
        if share_parse and getattr(result, "exception", None) is None:  # the project parsed
            _keep_parse(target_dir)
        return result
    finally:
        if keeper is not None:
            keeper.release()
        _release_duckdb_file()
        gc.set_threshold(*previous_thresholds)
        os.chdir(previous_dir)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# Python's garbage collection thresholds while dbt runs. dbt keeps its manifest, hundreds of
# thousands of Python objects, alive for the whole run; at the default thresholds (700, 10,
# 10) the collector walks all of them in each full collection (9 in the whole mirror's build,
# 0.9 s) and collects the young generations 2,000 times (0.6 s), each time holding the GIL, so
# that no dbt thread moves meanwhile. These take 0.65 s in all; the peak RSS is unchanged.
DBT_GC_THRESHOLDS = (2_000, 100, 100)

# dbt's saved parse of this project (its partial_parse.msgpack), shared by the builds of every
# data folder; dbt itself checks that it still matches the project, vars, profile and version.
PARSE_CACHE = PROJECT_DIR / "target" / "pipeline" / "partial_parse.msgpack"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


# The staging fingerprints (dbt project, vars, versions) whose unit tests passed in a build of
# this checkout, newest last: unit tests check the code, not the data, so a build of the same
# code in another data folder need not run them again.
UNIT_TESTS_PASSED = PROJECT_DIR / "target" / "pipeline" / "unit_tests_passed.txt"
UNIT_TESTS_PASSED_KEPT = 16


def unit_tests_passed(staging_fingerprint: str) -> bool:
    """Whether a build of this checkout ran and passed the unit tests of this very code."""
    try:
        return staging_fingerprint in UNIT_TESTS_PASSED.read_text().split()
    except OSError:
        return False


def _record_unit_tests_passed(staging_fingerprint: str) -> None:
    try:
        known = UNIT_TESTS_PASSED.read_text().split() if UNIT_TESTS_PASSED.is_file() else []
        kept = [*[f for f in known if f != staging_fingerprint], staging_fingerprint]
        UNIT_TESTS_PASSED.parent.mkdir(parents=True, exist_ok=True)
        temporary = UNIT_TESTS_PASSED.with_name(f".{UNIT_TESTS_PASSED.name}.{os.getpid()}")
        temporary.write_text("\n".join(kept[-UNIT_TESTS_PASSED_KEPT:]) + "\n")
        os.replace(temporary, UNIT_TESTS_PASSED)
    except OSError:  # a read-only checkout: later builds run the unit tests again
        pass


def _relative_to(path: Path, folder: Path) -> str:
    """The path as dbt's profile gets it: its name when it lies in folder, else absolute."""
    path = Path(path).resolve()
    return path.name if path.parent == folder else str(path)


def _seed_parse(target_dir: Path) -> None:
    """Give a target folder without a saved parse the one shared by earlier builds."""
    saved = target_dir / PARTIAL_PARSE_FILE
    if saved.exists() or not PARSE_CACHE.is_file():
        return
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        temporary = saved.with_name(f".{saved.name}.{os.getpid()}")
        shutil.copyfile(PARSE_CACHE, temporary)
        os.replace(temporary, saved)
    except OSError:  # no shared parse, then: dbt parses the project in full
        pass


def _keep_parse(target_dir: Path) -> None:
    """Share the target folder's saved parse with later builds (replaced whole, never torn)."""
    saved = target_dir / PARTIAL_PARSE_FILE
    if not saved.is_file():
        return
    try:
        PARSE_CACHE.parent.mkdir(parents=True, exist_ok=True)
        temporary = PARSE_CACHE.with_name(f".{PARSE_CACHE.name}.{os.getpid()}")
        shutil.copyfile(saved, temporary)
        os.replace(temporary, PARSE_CACHE)
    except OSError:  # a read-only checkout: every new data folder parses in full
        pass


class KeepDatabaseOpen:
    """dbtRunner callback that holds one more handle on dbt-duckdb's database while dbt runs.

    dbt-duckdb closes its database when its last connection closes, at the end of the run,
    and with it the `work` database where the intermediates live. Holding a handle keeps both
    open past the run, so the build can query a failed or warned test's rows on intermediates
    too; release() closes it.
    """

    def __init__(self, database_path: Path) -> None:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        self._manager = DuckDBConnectionManager
        self._database_path = Path(database_path).resolve()
        self._lock = threading.Lock()
        self._handle = None

    def __call__(self, event) -> None:
        environment = self._manager._ENV
        if self._handle is not None or environment is None:
            return
        # Only dbt's environment for this database (not one left over from another run).
        if Path(str(environment.creds.path)).resolve() != self._database_path:
            return
        with self._lock:
            if self._handle is None:
                self._handle = environment.handle()

    def cursor(self) -> duckdb.DuckDBPyConnection | None:
        """dbt's connection to the database it built (None if dbt never opened one)."""
        return self._handle.cursor() if self._handle is not None else None

    def release(self) -> None:
        """Give the handle back; dbt-duckdb then closes the database."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _empty_work_database(connection: duckdb.DuckDBPyConnection | None) -> None:
    """Drop the intermediates once the build has read what it needs of them.

    DuckDB writes a database file out (checkpoints it) when it closes it, and the work file
    is deleted right after the build: emptied first, it closes in 0.01 s instead of writing
    out every intermediate (1.7 s on SGD).
    """
    if connection is None:
        return
    try:
        relations = connection.execute(
            """
            select 'view', schema_name, view_name from duckdb_views()
            where database_name = 'work' and not internal
            union all
            select 'table', schema_name, table_name from duckdb_tables()
            where database_name = 'work'
            order by 1 desc
            """
        ).fetchall()
        for kind, schema, name in relations:  # views first, then the tables they read
            connection.execute(f'drop {kind} if exists work."{schema}"."{name}"')
    except duckdb.Error:  # the file is deleted all the same, only written out first
        pass
    finally:
        connection.close()


def _release_duckdb_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an invocation.

    dbt-duckdb holds one environment per process; left open, it keeps the file locked in
    read-write mode, so read-only connections from the same process would be refused.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


# --- following dbt while it runs ---------------------------------------------------------


def _is_result_event(name: str) -> bool:
    """Events that report a node's result, which the build reports itself from the results."""
    return name.startswith("RunResult") or (name.startswith("Log") and name.endswith("Result"))


class DbtProgress:
    """dbtRunner callback: advances the bar per finished node and keeps dbt's own warnings."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.warnings: list[str] = []

    def __call__(self, event) -> None:
        name = event.info.name
        if name == "ConcurrencyLine" and self.progress is not None:
            # Unit tests are not in this count (dbt adds them later); they are added as they end.
            self.progress.update(total=event.data.node_count, detail="", force=True)
        elif name == "NodeFinished" and self.progress is not None:
            node = event.data.node_info
            if node.materialized == "ephemeral":
                return  # compiled into other models; not in dbt's count of nodes
            total = self.progress.total
            if node.resource_type == "unit_test" and total is not None:
                total += 1
            self.progress.update(advance=1, total=total, detail=node.node_name)
        elif event.info.level == "warn" and not _is_result_event(name):
            warning = " ".join(event.info.msg.split())
            if warning not in self.warnings:
                self.warnings.append(warning)


# --- reading dbt's results -----------------------------------------------------------------


def node_status(node_result) -> str:
    """A node result's status as dbt writes it in run_results.json ("pass", "warn", ...)."""
    status = node_result.status
    return str(getattr(status, "value", status)).lower()


# A terminal colour code, as dbt writes into a unit test's diff ("\x1b[32mactual\x1b[0m").
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _one_line(text: str | None, limit: int = MESSAGE_CHARACTERS) -> str:
    """The text without colour codes, its white space collapsed, cut to `limit` characters."""
    collapsed = " ".join(_ANSI_CODE.sub("", str(text or "")).split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"


def _row_label(row: tuple) -> str:
    """A failing row named by its first text values (dataset, split, label, ...)."""
    texts = [value for value in row if isinstance(value, str) and value.strip()]
    values = texts[:VALUES_PER_ROW] or [value for value in row if value is not None][:3]
    return "/".join(_one_line(str(value), VALUE_CHARACTERS) for value in values) or "(empty)"


def describe_failing_rows(
    connection: duckdb.DuckDBPyConnection, sql: str | None, failures: int | None
) -> str | None:
    """`N rows found: a, b, c, …`: a test's failing rows, queried again with its compiled SQL."""
    if not sql:
        return None
    body = sql.strip().rstrip(";")
    try:
        # The newline before ")" ends a trailing SQL comment in the test's code; the order
        # makes the rows named the same from one build to the next.
        rows = connection.execute(
            f"select * from (\n{body}\n) as failing_rows order by all limit {FAILING_ROWS_SHOWN}"
        ).fetchall()
    except duckdb.Error:
        interruption.raise_if_received()  # a signal stopped the query: not a query error
        return None
    found = failures if failures is not None else len(rows)
    labels = ", ".join(_row_label(row) for row in rows)
    more = ", …" if found > len(rows) else ""
    noun = "row" if found == 1 else "rows"
    return f"{found:,} {noun} found: {labels}{more}" if rows else f"{found:,} {noun} found"


def _test_metadata(node) -> dict[str, Any]:
    """Tested model, column, test type and severity of a data test node (as manifest.json has)."""
    if not node.unique_id.startswith("test."):
        return {"tested_model": None, "tested_column": None, "test_type": None, "severity": None}
    attached = getattr(node, "attached_node", None) or ""
    depends = getattr(getattr(node, "depends_on", None), "nodes", None) or []
    names = dict.fromkeys(dependency.rsplit(".", 1)[-1] for dependency in depends)
    model = attached.rsplit(".", 1)[-1] if attached else ", ".join(names)
    test_metadata = getattr(node, "test_metadata", None)
    severity = getattr(getattr(node, "config", None), "severity", None)
    return {
        "tested_model": model or None,
        "tested_column": getattr(node, "column_name", None),
        "test_type": getattr(test_metadata, "name", None) or "singular",
        "severity": str(severity).lower() if severity else None,
    }


@dataclass(frozen=True)
class NodeOutcome:
    """One node's result, as the build records it."""

    unique_id: str
    resource_type: str
    name: str
    status: str
    failures: int | None
    message: str | None
    failing_rows: str | None  # the failing rows described, for warned and failed tests
    execution_seconds: float
    tested_model: str | None
    tested_column: str | None
    test_type: str | None
    severity: str | None
    original_file_path: str | None

    @property
    def line(self) -> str:
        """What it found, in one line: `name: 6 rows found: a, b, c, …` or dbt's message."""
        return f"{self.name}: {self.failing_rows or _one_line(self.message)}"


def node_outcomes(
    results: Iterable, connection: duckdb.DuckDBPyConnection | None
) -> list[NodeOutcome]:
    """Every node result of a dbt invocation; warned and failed tests' rows described."""
    outcomes = []
    for node_result in results:
        node = node_result.node
        status = node_status(node_result)
        failing_rows = None
        is_data_test = node.unique_id.startswith("test.")
        if connection is not None and is_data_test and status in ("warn", "fail"):
            sql = getattr(node, "compiled_code", None)
            failing_rows = describe_failing_rows(connection, sql, node_result.failures)
        resource_type = getattr(node, "resource_type", "")
        outcomes.append(
            NodeOutcome(
                unique_id=node.unique_id,
                resource_type=str(getattr(resource_type, "value", resource_type)),
                name=node.name,
                status=status,
                failures=node_result.failures,
                message=node_result.message,
                failing_rows=failing_rows,
                execution_seconds=round(float(node_result.execution_time or 0.0), 3),
                original_file_path=getattr(node, "original_file_path", None),
                **_test_metadata(node),
            )
        )
    return outcomes


def status_line(outcomes: Sequence[NodeOutcome]) -> dict[str, int]:
    """The counts of dbt's final line (PASS, WARN, ERROR, SKIP, NO-OP, TOTAL)."""
    counts = dict.fromkeys(STATUS_LINE_WORDS, 0)
    for outcome in outcomes:
        word = STATUS_LINE_WORD.get(outcome.status)
        if word is not None:
            counts[word] += 1
    counts["total"] = len(outcomes)
    return counts


def _raise_for_failures(outcomes: Sequence[NodeOutcome], log_path: Path) -> None:
    failed = [outcome for outcome in outcomes if STATUS_LINE_WORD.get(outcome.status) == "error"]
    if not failed:
        return
    details = [f"{outcome.status.upper()} {outcome.line}" for outcome in failed]
    names = ", ".join(outcome.name for outcome in failed)
    raise BuildError(
        f"dbt build failed at {len(failed)} node(s): {names} (dbt log: {log_path})", details
    )


# --- recording the build in the warehouse --------------------------------------------------

BUILD_TABLES_DDL = f"""
create schema if not exists {state.BUILD_SCHEMA};
create or replace table {state.RUNS_TABLE} (
    build_id varchar, dbt_command varchar, command_line varchar,
    started_at timestamp, finished_at timestamp, elapsed_seconds double,
    n_pass integer, n_warn integer, n_error integer, n_skip integer, n_noop integer,
    n_total integer,
    dbt_core_version varchar, dbt_duckdb_version varchar, duckdb_version varchar,
    fingerprint varchar, project_fingerprint varchar, evaluations_fingerprint varchar,
    dbt_vars varchar, dbt_log_path varchar
);
create or replace table {state.NODE_RESULTS_TABLE} (
    build_id varchar, unique_id varchar, resource_type varchar, name varchar, status varchar,
    failures bigint, message varchar, failing_rows varchar, execution_seconds double,
    tested_model varchar, tested_column varchar, test_type varchar, severity varchar,
    original_file_path varchar
);
create or replace table {state.DATASET_FINGERPRINTS_TABLE} (
    build_id varchar, dataset varchar, raw_fingerprint varchar, n_files integer,
    n_files_ingested integer, n_records bigint
);
"""


@dataclass(frozen=True)
class BuildRecord:
    """One build, as written into the warehouse it built."""

    build_id: str
    command_line: str | None
    started_at: datetime
    finished_at: datetime
    fingerprint: state.Fingerprint
    log_path: Path

    @classmethod
    def new(
        cls,
        command_line: str | None,
        started_at: datetime,
        finished_at: datetime,
        fingerprint: state.Fingerprint,
        log_path: Path,
    ) -> BuildRecord:
        """A build that just ended, with a new id."""
        return cls(_invocation_id(), command_line, started_at, finished_at, fingerprint, log_path)


def record_build_in(database: Path, record: BuildRecord, outcomes: Sequence[NodeOutcome]) -> None:
    """Record the build in the DuckDB file it built, its write-ahead log folded into the file
    (so the file is whole when it is moved)."""
    with duckdb.connect(str(database)) as connection:
        record_build(connection, record, outcomes)
        connection.execute("checkpoint")


def record_build(
    connection: duckdb.DuckDBPyConnection,
    record: BuildRecord,
    outcomes: Sequence[NodeOutcome],
) -> None:
    """Write the build, its node results and its per-dataset fingerprints into schema `build`."""
    counts = status_line(outcomes)
    fingerprint = record.fingerprint
    versions = fingerprint.versions
    connection.execute(BUILD_TABLES_DDL)
    connection.execute(
        f"insert into {state.RUNS_TABLE} values "
        "(?, 'build', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.build_id,
            record.command_line,
            record.started_at.replace(tzinfo=None),
            record.finished_at.replace(tzinfo=None),
            round((record.finished_at - record.started_at).total_seconds(), 3),
            *(counts[word] for word in (*STATUS_LINE_WORDS, "total")),
            versions["dbt-core"],
            versions["dbt-duckdb"],
            versions["duckdb"],
            fingerprint.value,
            fingerprint.project,
            fingerprint.evaluations,
            json.dumps(fingerprint.dbt_vars, sort_keys=True),
            str(record.log_path),
        ],
    )
    state.insert_rows(
        connection,
        state.NODE_RESULTS_TABLE,
        [
            [
                record.build_id,
                outcome.unique_id,
                outcome.resource_type,
                outcome.name,
                outcome.status,
                outcome.failures,
                outcome.message,
                outcome.failing_rows,
                outcome.execution_seconds,
                outcome.tested_model,
                outcome.tested_column,
                outcome.test_type,
                outcome.severity,
                outcome.original_file_path,
            ]
            for outcome in outcomes
        ],
    )
    state.insert_rows(
        connection,
        state.DATASET_FINGERPRINTS_TABLE,
        [
            [
                record.build_id,
                dataset.dataset,
                dataset.fingerprint,
                dataset.files,
                dataset.files_ingested,
                dataset.records,
            ]
            for dataset in fingerprint.datasets.values()
        ],
    )


def docs_dir_of(raw_dir: Path) -> Path:
    """Where the build writes the dbt docs site: `docs/` beside the raw folder."""
    return Path(raw_dir).resolve().parent / "docs"


def _write_docs(building: Path, target_dir: Path | None, raw_dir: Path, staged: Path) -> str:
    """The docs site of the new warehouse (warehouse.docs_site); a failure there costs the
    site, not the build: it comes back as a warning line ('' when written)."""
    from warehouse.docs_site import write_docs_site

    manifest = Path(target_dir or raw_dir.parent / "target") / "manifest.json"
    try:
        write_docs_site(building, manifest, docs_dir_of(raw_dir), staged)
    except Exception as error:  # noqa: BLE001 - reported, and the build goes on
        interruption.raise_if_received()  # unless a signal stopped its queries
        return f"docs site not written to {docs_dir_of(raw_dir)}: {_one_line(str(error))}"
    return ""


def _invocation_id() -> str:
    """dbt's id of the invocation just run (it heads that invocation's part of dbt.log)."""
    from dbt_common.invocation import get_invocation_id

    return str(get_invocation_id())


# --- the build -----------------------------------------------------------------------------


def build_warehouse(
    warehouse_path: Path,
    raw_dir: Path,
    target_dir: Path | None = None,
    evaluations_dir: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
    command_line: str | None = None,
    console: Console | None = None,
    log_dir: Path | None = None,
) -> BuildSummary:
    """`dbt build` into `<warehouse>.building`, record the build in it, rename it over the
    warehouse; or nothing, when the warehouse already records this build's fingerprint.

    dbt_vars go to dbt as `--vars` (default: the registry's dataset lists); force builds even
    when up to date. dbt prints nothing: its full log goes to log_dir (default `logs/` beside
    the raw folder), progress to the console's bar on a terminal.
    """
    warehouse_path = Path(warehouse_path).resolve()
    raw_dir = Path(raw_dir).resolve()
    log_dir = Path(log_dir or raw_dir.parent / "logs").resolve()
    log_path = log_dir / "dbt.log"
    evaluations_dir = (evaluations_dir or default_evaluations_dir(raw_dir)).resolve()
    dbt_vars = default_dbt_vars() if dbt_vars is None else dict(dbt_vars)
    ensure_results_placeholder(evaluations_dir)
    fingerprint = state.compute_fingerprint(raw_dir, evaluations_dir, dbt_vars, PROJECT_DIR)
    recorded = state.recorded_build(warehouse_path)
    if not force and recorded is not None and recorded.fingerprint == fingerprint.value:
        return BuildSummary.up_to_date_as(recorded, fingerprint, log_path)

    # Datasets whose raw data is unchanged since they were last staged are not staged again.
    staged = staging_cache.staged_path_of(warehouse_path)
    plan = staging_cache.plan_restaging(staged, fingerprint)
    building = warehouse_path.with_name(warehouse_path.name + ".building")
    # The intermediates live in a file of their own while dbt runs, never in the warehouse.
    work = warehouse_path.with_name(warehouse_path.name + ".work")
    building_files = [building, building.with_name(building.name + ".wal")]
    work_files = [work, work.with_name(work.name + ".wal")]
    for leftover in building_files + work_files:
        leftover.unlink(missing_ok=True)
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    progress = console.progress("build") if console is not None else None
    if progress is not None:
        progress.update(detail="parsing the dbt project", force=True)
    following = DbtProgress(progress)
    outcomes: list[NodeOutcome] = []

    def describe_results(result, connection: duckdb.DuckDBPyConnection | None) -> None:
        # On dbt's own connection: a test's failing rows may lie in the `work`
        # database of intermediates, which closes with it.
        node_results = getattr(result.result, "results", None) or []
        outcomes.extend(node_outcomes(node_results, connection))

    # Unit tests check the code, not the data: they run once per staging fingerprint (the
    # project, vars and versions) in this checkout, and are skipped once they passed.
    staging = staging_cache.staging_fingerprint(fingerprint)
    run_unit_tests = not unit_tests_passed(staging)
    arguments = ["build", *(["--full-refresh"] if plan.full_refresh else [])]
    if not run_unit_tests:
        arguments += ["--exclude-resource-type", "unit_test"]
    try:
        started_at = datetime.now(UTC)
        staging_cache.strike_out(staged, plan)
        result = run_dbt(
            arguments,
            building,
            raw_dir,
            target_dir,
            evaluations_dir,
            dbt_vars=dbt_vars,
            callbacks=[following],
            log_dir=log_dir,
            quiet=True,
            inspect=describe_results,
            work_path=work,
            share_parse=True,
            staged_path=staged,
            restage=plan.environment_value,
        )
        finished_at = datetime.now(UTC)
        if console is not None:
            console.end_bar()
        raise_unless_built(result, outcomes, log_path, "dbt build")
        record = BuildRecord.new(command_line, started_at, finished_at, fingerprint, log_path)
        record_build_in(building, record, outcomes)
        docs_warning = _write_docs(building, target_dir, raw_dir, staged)
        # A signal whose KeyboardInterrupt a query swallowed never lets the new warehouse in.
        interruption.raise_if_received()
        os.replace(building, warehouse_path)
        staging_cache.record_staged(staged, fingerprint, plan.datasets)
        if run_unit_tests:
            _record_unit_tests_passed(staging)
    except BaseException:
        if console is not None:
            console.end_bar()
        for temporary in building_files:
            temporary.unlink(missing_ok=True)
        raise
    finally:  # the work file never outlives its build, whatever the outcome
        for temporary in work_files:
            temporary.unlink(missing_ok=True)
    return summary_of(
        outcomes,
        following,
        fingerprint,
        finished_at,
        log_path,
        more_warnings=[docs_warning] if docs_warning else [],
    )


def raise_unless_built(
    result, outcomes: Sequence[NodeOutcome], log_path: Path, command: str
) -> None:
    """Raise what stopped a dbt invocation: an interruption as it came, else BuildError with
    the one-line reason (dbt could not run, a node failed, or dbt reported no success)."""
    if isinstance(result.exception, KeyboardInterrupt | SystemExit):
        raise result.exception  # Ctrl-C or SIGTERM while dbt ran: the run was interrupted
    if result.exception is not None:
        reason = _one_line(str(result.exception))
        raise BuildError(f"{command} could not run: {reason} (dbt log: {log_path})")
    _raise_for_failures(outcomes, log_path)
    if not result.success:
        raise BuildError(f"{command} failed (dbt log: {log_path})")


def summary_of(
    outcomes: Sequence[NodeOutcome],
    following: DbtProgress,
    fingerprint: state.Fingerprint,
    finished_at: datetime,
    log_path: Path,
    more_warnings: Sequence[str] = (),
) -> BuildSummary:
    """The summary of a successful build: its status line and its warnings, one line each."""
    counts = status_line(outcomes)
    warned = [outcome.line for outcome in outcomes if outcome.status == "warn"]
    return BuildSummary(
        passed=counts["pass"],
        warned=counts["warn"],
        failed=counts["error"],
        skipped=counts["skip"],
        warnings=(*following.warnings, *warned, *more_warnings),
        fingerprint=fingerprint.value,
        built_at=finished_at,
        log_path=log_path,
        status_line=counts,
    )
