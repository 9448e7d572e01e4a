"""Building the warehouse on Apache Spark (README, "Outgrowing one machine").

`run_pipeline.py --target spark` builds the same dbt project on Spark through dbt-spark's
`spark` target (profiles.yml): a local Spark inside this process by default (session method),
its tables and Derby metastore under `<data folder>/spark` (DW_SPARK_DIR). Every model is
rebuilt (--full-refresh: Spark's Parquet tables take no `delete`, which the incremental
unions use on DuckDB), unit tests excluded (their inputs are DuckDB SQL; they check the
models' logic, the same on both engines, and run in every DuckDB build).

The marts then stay in Spark (schema DW_SPARK_SCHEMA, default `dialogue_warehouse`, and
`<schema>_reference`) for whoever reads them there, and are copied into the DuckDB warehouse
file as it always is: Spark writes each mart to Parquet, DuckDB reads it into
`<warehouse>.building`, the build's results are recorded in it, and the file replaces the
warehouse by one rename. So the dashboard and the exports read a Spark build exactly as a
DuckDB one, and a failed Spark build leaves the previous warehouse file as it was. In Spark,
a build replaces the tables one by one, as dbt-spark does: there is no atomic switch there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from embedder_eval.results import ensure_results_placeholder
from warehouse import interruption, state
from warehouse.build import (
    BuildError,
    BuildRecord,
    BuildSummary,
    DbtProgress,
    NodeOutcome,
    default_dbt_vars,
    default_evaluations_dir,
    node_outcomes,
    node_status,
    raise_unless_built,
    record_build_in,
    run_dbt,
    summary_of,
)
from warehouse.console import Console

PROJECT_DIR = state.PROJECT_DIR
SPARK_TARGET = "spark"
SPARK_DIR_VARIABLE = "DW_SPARK_DIR"
SPARK_CONF_DIR = Path(__file__).resolve().parent / "spark_conf"  # log4j2.properties
# The folders of models whose relations users read (marts/, reference/), and the seeds.
USER_FACING_FOLDERS = ("marts", "reference")
BUILD_ARGUMENTS = ["build", "--full-refresh", "--exclude-resource-type", "unit_test"]


def check_spark_installed() -> None:
    """Raise BuildError, in one line saying what to install, unless Spark can run here."""
    modules = ("pyspark", "dbt.adapters.spark")
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise BuildError(
            f"--target spark needs {', '.join(missing)}: pip install -e '.[spark]' (and Java 17)"
        )
    if shutil.which("java") is None:
        raise BuildError(
            "--target spark needs Java 17 on PATH (apt-get install openjdk-17-jre-headless)"
        )


def spark_dir_of(raw_dir: Path) -> Path:
    """Where Spark keeps its tables and metastore: DW_SPARK_DIR, else `<data folder>/spark`."""
    configured = os.environ.get(SPARK_DIR_VARIABLE)
    return Path(configured).resolve() if configured else Path(raw_dir).resolve().parent / "spark"


def user_facing(node) -> bool:
    """Whether a dbt node is a relation users read: a mart, a reference model or a seed."""
    resource_type = str(getattr(node.resource_type, "value", node.resource_type))
    if resource_type == "seed":
        return True
    return resource_type == "model" and len(node.fqn) > 1 and node.fqn[1] in USER_FACING_FOLDERS


def duckdb_schema_of(node) -> str:
    """The node's schema in the DuckDB warehouse: its folder's (`reference`), else `main`."""
    return node.config.schema or "main"


def copy_marts_to_duckdb(nodes: list, database: Path, parquet_dir: Path) -> None:
    """Write each node's Spark relation to Parquet (through this process's Spark session) and
    load it into the DuckDB file as a table of the same schema and name."""
    from pyspark.sql import SparkSession

    session = SparkSession.builder.getOrCreate()
    # Instants as Parquet's UTC timestamps, which DuckDB reads as `timestamp with time zone`.
    session.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    with duckdb.connect(str(database)) as connection:
        for node in nodes:
            schema, name = duckdb_schema_of(node), node.alias
            folder = parquet_dir / schema / name
            session.table(f"{node.schema}.{name}").write.mode("overwrite").parquet(str(folder))
            connection.execute(f'create schema if not exists "{schema}"')
            connection.execute(
                f'create table "{schema}"."{name}" as select * from read_parquet(?)',
                [str(folder / "*.parquet")],
            )
        connection.execute("checkpoint")


class SparkQueries:
    """This process's Spark session behind the part of a DuckDB connection that
    describe_failing_rows uses (`execute(sql).fetchall()`), so a warned test's line names its
    failing rows on Spark as on DuckDB. A query error becomes duckdb.Error, which that
    function takes as "the rows cannot be shown"."""

    def __init__(self) -> None:
        self._rows: list[tuple] = []

    def execute(self, sql: str) -> SparkQueries:
        from pyspark.sql import SparkSession

        try:
            rows = SparkSession.builder.getOrCreate().sql(sql).collect()
        except Exception as error:  # pyspark's errors share no base class with DuckDB's
            raise duckdb.Error(str(error)) from error
        self._rows = [tuple(row) for row in rows]
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows


def build_on_spark(
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
    """`dbt build` on Spark from the raw folder, then the marts copied into the DuckDB
    warehouse file (built as `<warehouse>.building`, renamed into place on success); or
    nothing, when the warehouse records a Spark build of the same fingerprint (force builds
    anyway)."""
    check_spark_installed()
    warehouse_path = Path(warehouse_path).resolve()
    raw_dir = Path(raw_dir).resolve()
    log_dir = Path(log_dir or raw_dir.parent / "logs").resolve()
    log_path = log_dir / "dbt.log"
    target_dir = Path(target_dir or raw_dir.parent / "target_spark").resolve()
    evaluations_dir = (evaluations_dir or default_evaluations_dir(raw_dir)).resolve()
    dbt_vars = default_dbt_vars() if dbt_vars is None else dict(dbt_vars)
    ensure_results_placeholder(evaluations_dir)
    fingerprint = state.compute_fingerprint(
        raw_dir, evaluations_dir, dbt_vars, PROJECT_DIR, target=SPARK_TARGET
    )
    recorded = state.recorded_build(warehouse_path)
    if not force and recorded is not None and recorded.fingerprint == fingerprint.value:
        return BuildSummary.up_to_date_as(recorded, fingerprint, log_path)
    spark_dir = spark_dir_of(raw_dir)
    building = warehouse_path.with_name(warehouse_path.name + ".building")
    building_files = [building, building.with_name(building.name + ".wal")]
    parquet_dir = spark_dir / "marts"
    for leftover in building_files:
        leftover.unlink(missing_ok=True)
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    progress = console.progress("build") if console is not None else None
    if progress is not None:
        progress.update(detail="starting Spark and parsing the dbt project", force=True)
    following = DbtProgress(progress)
    outcomes: list[NodeOutcome] = []
    nodes: list = []

    def collect(result, _connection) -> None:
        node_results = getattr(result.result, "results", None) or []
        outcomes.extend(node_outcomes(node_results, SparkQueries()))
        nodes.extend(
            node_result.node
            for node_result in node_results
            if user_facing(node_result.node) and node_status(node_result) == "success"
        )

    # pyspark warns that it is not tested with pandas 3; the build reads no pandas.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    try:
        started_at = datetime.now(UTC)
        result = run_dbt(
            [*BUILD_ARGUMENTS, "--target", SPARK_TARGET],
            building,
            raw_dir,
            target_dir,
            evaluations_dir,
            dbt_vars=dbt_vars,
            callbacks=[following],
            log_dir=log_dir,
            quiet=True,
            inspect=collect,
            # Absolute paths: Spark resolves a relative one against the folder its JVM started
            # in, which need not be the one dbt runs in.
            extra_environment={
                SPARK_DIR_VARIABLE: str(spark_dir),
                # Spark's log to <spark dir>/spark.log, not the console (unless the user
                # configured Spark otherwise).
                "SPARK_CONF_DIR": os.environ.get("SPARK_CONF_DIR", str(SPARK_CONF_DIR)),
                "DW_RAW_DIR": str(raw_dir),
                "DW_EVALUATIONS_DIR": str(evaluations_dir),
            },
        )
        if console is not None:
            console.end_bar()
        raise_unless_built(result, outcomes, log_path, "dbt build on Spark")
        if parquet_dir.exists():
            shutil.rmtree(parquet_dir)
        copy_marts_to_duckdb(nodes, building, parquet_dir)
        finished_at = datetime.now(UTC)
        record = BuildRecord.new(command_line, started_at, finished_at, fingerprint, log_path)
        record_build_in(building, record, outcomes)
        interruption.raise_if_received()
        os.replace(building, warehouse_path)
    except BaseException:
        if console is not None:
            console.end_bar()
        for temporary in building_files:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        if parquet_dir.exists():
            shutil.rmtree(parquet_dir)
    return summary_of(outcomes, following, fingerprint, finished_at, log_path)
