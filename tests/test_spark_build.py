"""Parity of the whole warehouse: built on Spark, every mart equals the DuckDB build's.

The fixture raw store (every dataset's hand-made fixtures, as `fixture_warehouse` ingests
them) is built a second time by `run_pipeline.py --skip-ingest --target spark`: dbt-spark on a
local Spark session, then the marts copied into a DuckDB file (warehouse/spark.py). Every
table of the DuckDB build's `main` and `reference` schemas must be in that copy with the same
columns in the same order and the same rows, compared as multisets (EXCEPT ALL both ways),
doubles to 9 significant digits.

Needs the `spark` extra (pyspark, dbt-spark) and Java; skipped, saying so, without them. The
Spark build takes about 5-8 minutes on a 2-core machine (printed with -s).
"""

from __future__ import annotations

import shutil
import time

import duckdb
import pytest

from tests.support import require_spark_module, run_pipeline_cli

require_spark_module()

SPARK_BUILD_TIMEOUT = 1800
SIGNIFICANT_DIGITS = 9
USER_FACING_SCHEMAS = ("main", "reference")


@pytest.fixture(scope="module")
def spark_build(fixture_warehouse, tmp_path_factory):
    """The fixture raw store built on Spark: (data folder, the pipeline's output)."""
    fixture_dir, _ = fixture_warehouse
    data_dir = tmp_path_factory.mktemp("spark_run")
    shutil.copytree(fixture_dir / "raw", data_dir / "raw")
    started = time.monotonic()
    completed = run_pipeline_cli(
        "--skip-ingest", "--target", "spark", data_dir=data_dir, timeout=SPARK_BUILD_TIMEOUT
    )
    print(f"\nSpark build of the fixture raw store: {time.monotonic() - started:.0f} s")
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return data_dir, completed.stdout


def _tables(connection: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple]]:
    """`schema.name` -> [(column, type), ...] of the user-facing relations of a database."""
    rows = connection.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name in ? order by schema_name, table_name, "
        "column_index",
        [database, list(USER_FACING_SCHEMAS)],
    ).fetchall()
    tables: dict[str, list[tuple]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return tables


def _comparable(column: str, data_type: str) -> str:
    """A select item that compares equal across engines: doubles to a stated precision."""
    quoted = f'"{column}"'
    if data_type in ("DOUBLE", "FLOAT"):
        return (
            f"case when {quoted} = 0 or {quoted} is null or isnan({quoted}) then {quoted} "
            f"else round({quoted}, {SIGNIFICANT_DIGITS} - 1 - "
            f"cast(floor(log10(abs({quoted}))) as integer)) end as {quoted}"
        )
    return quoted


@pytest.fixture(scope="module")
def both(fixture_warehouse, spark_build):
    """One DuckDB connection with the DuckDB build as `duck` and the Spark one as `spark`."""
    fixture_dir, _ = fixture_warehouse
    spark_dir, _ = spark_build
    connection = duckdb.connect()
    connection.execute(f"attach '{fixture_dir / 'warehouse.duckdb'}' as duck (read_only)")
    connection.execute(f"attach '{spark_dir / 'warehouse.duckdb'}' as spark (read_only)")
    yield connection
    connection.close()


def test_the_spark_build_reports_itself(spark_build, both):
    _, output = spark_build
    assert "build on Spark: " in output, output
    runs = both.execute("select n_error, n_pass from spark.build.runs").fetchall()
    assert len(runs) == 1 and runs[0][0] == 0 and runs[0][1] > 100, runs


def test_a_spark_build_with_nothing_changed_is_up_to_date(spark_build):
    """The same command again builds nothing (no Spark started): the warehouse records a
    Spark build of the same inputs."""
    data_dir, _ = spark_build
    before = (data_dir / "warehouse.duckdb").stat().st_mtime_ns
    again = run_pipeline_cli("--skip-ingest", "--target", "spark", data_dir=data_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "build: warehouse up to date" in again.stdout, again.stdout
    assert (data_dir / "warehouse.duckdb").stat().st_mtime_ns == before


def test_every_mart_has_the_same_columns_on_spark(both):
    duck, spark = _tables(both, "duck"), _tables(both, "spark")
    assert sorted(spark) == sorted(duck)
    names = {table: [column for column, _ in columns] for table, columns in duck.items()}
    assert {table: [column for column, _ in spark[table]] for table in duck} == names


def test_every_mart_has_the_same_rows_on_spark(both):
    duck = _tables(both, "duck")
    differing = {}
    n_rows = 0
    for table, columns in sorted(duck.items()):
        schema, name = table.split(".")
        items = ", ".join(_comparable(column, data_type) for column, data_type in columns)
        selects = {
            engine: f'select {items} from {engine}."{schema}"."{name}"'
            for engine in ("duck", "spark")
        }
        only_duckdb = both.execute(
            f"select count(*) from ({selects['duck']} except all {selects['spark']})"
        ).fetchone()[0]
        only_spark = both.execute(
            f"select count(*) from ({selects['spark']} except all {selects['duck']})"
        ).fetchone()[0]
        n_rows += both.execute(f"select count(*) from ({selects['duck']})").fetchone()[0]
        if only_duckdb or only_spark:
            differing[table] = {"only on DuckDB": only_duckdb, "only on Spark": only_spark}
    print(f"\n{len(duck)} marts, {n_rows} rows compared")
    assert n_rows > 1000
    assert differing == {}


def test_every_data_test_ends_alike_on_spark(both):
    """The data tests (not unit tests, which run on DuckDB only) pass, warn or fail alike, with
    the same number of failing rows."""
    query = (
        "select unique_id, status, failures from {}.build.node_results "
        "where resource_type = 'test' order by unique_id"
    )
    duck = both.execute(query.format("duck")).fetchall()
    spark = both.execute(query.format("spark")).fetchall()
    assert len(duck) > 100
    assert spark == duck


def test_a_spark_build_exports_as_a_duckdb_build_does(fixture_warehouse, spark_build, tmp_path):
    """The training-ready export reads the Spark build's copy as it reads a DuckDB build: the
    same rows in every folder and split."""
    from warehouse.export import export

    fixture_dir, _ = fixture_warehouse
    spark_dir, _ = spark_build
    summaries = {
        engine: export(
            folder / "warehouse.duckdb",
            tmp_path / engine,
            command="test",
            data_dir=folder,
            progress=lambda _: None,
        )
        for engine, folder in (("duckdb", fixture_dir), ("spark", spark_dir))
    }
    assert sum(sum(rows.values()) for rows in summaries["duckdb"].rows.values()) > 100
    assert summaries["spark"].rows == summaries["duckdb"].rows
