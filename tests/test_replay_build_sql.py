"""bench/replay_build_sql.py replays a build's SQL without dbt into the same warehouse, so the
time it prints is the time of the build's own work (the README's "Speed and memory")."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from bench import replay_build_sql
from ingest.registry import REGISTRY, dbt_vars
from ingest.runner import ensure_placeholders, run_ingest
from tests.support import FIXTURE_UPSTREAM, fixture_dataset
from warehouse.build import build_warehouse


@pytest.fixture(scope="module")
def built_from_nothing(tmp_path_factory):
    """A data folder whose one build staged CamRest676 and BANKING77 from nothing."""
    data_dir = tmp_path_factory.mktemp("replayed_build")
    run_ingest(
        [fixture_dataset("camrest676"), fixture_dataset("banking77")],
        data_dir / "raw",
        data_dir / "cache",
        mirror=FIXTURE_UPSTREAM,
        progress=lambda _: None,
    )
    ensure_placeholders(list(REGISTRY.values()), data_dir / "raw")
    build_warehouse(data_dir / "warehouse.duckdb", data_dir / "raw", dbt_vars=dbt_vars())
    return data_dir


@pytest.mark.parametrize("threads", ["1", "2"])
def test_the_replay_makes_every_mart_row_for_row(built_from_nothing, tmp_path, capsys, threads):
    arguments = [str(built_from_nothing), "--output", str(tmp_path), "--threads", threads]
    assert replay_build_sql.main(arguments) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert "every warehouse model has the built one's row count" in summary, summary

    built = built_from_nothing / "warehouse.duckdb"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as connection:
        connection.execute(f"attach '{built}' as built (read_only)")
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'built' and schema_name != 'build'"  # not dbt's: the record
        ).fetchall()
        assert {("main", "turns"), ("main", "pair_metrics"), ("reference", "datasets")} <= set(
            tables
        )
        for schema, name in tables:
            replayed_only, built_only = (
                connection.execute(
                    f'select count(*) from (select * from {left}."{schema}"."{name}" '
                    f'except all select * from {right}."{schema}"."{name}")'
                ).fetchall()[0][0]
                for left, right in (("warehouse", "built"), ("built", "warehouse"))
            )
            assert (replayed_only, built_only) == (0, 0), f"{schema}.{name}"
        n_turns = connection.execute("select count(*) from turns").fetchall()[0][0]
        assert n_turns > 0


def test_a_node_without_its_sql_stops_the_replay_naming_it(built_from_nothing, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built_from_nothing, copy)
    run_sql = copy / "target" / "run" / "dialogue_warehouse" / "models"
    (run_sql / "marts" / "pretrain" / "turns.sql").unlink()
    with pytest.raises(SystemExit, match=r"dialogue_warehouse\.turns: no SQL at .*turns\.sql"):
        replay_build_sql.main([str(copy), "--output", str(tmp_path / "out")])


def test_a_build_that_added_to_kept_tables_is_refused(built_from_nothing, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(built_from_nothing, copy)
    run_results = copy / "target" / "run_results.json"
    results = json.loads(run_results.read_text(encoding="utf-8"))
    results["args"]["full_refresh"] = False  # as in a build that restaged one dataset
    run_results.write_text(json.dumps(results), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"run_results\.json is not of a build from nothing"):
        replay_build_sql.main([str(copy), "--output", str(tmp_path / "out")])


def test_an_output_folder_holding_a_replay_is_refused_and_left_as_it_was(
    built_from_nothing, tmp_path
):
    kept = tmp_path / "warehouse.duckdb"
    kept.write_bytes(b"someone's file")
    with pytest.raises(SystemExit, match=r"warehouse\.duckdb already exists; give --output an"):
        replay_build_sql.main([str(built_from_nothing), "--output", str(tmp_path)])
    assert kept.read_bytes() == b"someone's file"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["warehouse.duckdb"]
