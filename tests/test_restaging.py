"""Only what changed is staged again: a build after one dataset's raw data changed restages
that dataset alone (the others' staged rows are kept from the build before) and gives the same
marts as a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ingest.registry import dbt_vars
from warehouse import staging_cache, state
from warehouse.build import build_warehouse


def build(data_dir: Path):
    return build_warehouse(data_dir / "warehouse.duckdb", data_dir / "raw", dbt_vars=dbt_vars())


def drop_last_record(dataset_dir: Path) -> None:
    """A new upstream version of the dataset: its first raw file loses its last record."""
    manifest = pq.read_table(dataset_dir / state.MANIFEST_NAME)
    parquet = dataset_dir / manifest.column("parquet_path")[0].as_py()
    table = pq.read_table(parquet)
    pq.write_table(table.slice(0, table.num_rows - 1), parquet)
    rows = manifest.to_pylist()
    rows[0]["records"] -= 1
    rows[0]["git_blob_sha1"] = "0" * 40
    pq.write_table(
        manifest.from_pylist(rows, schema=manifest.schema), dataset_dir / state.MANIFEST_NAME
    )


def marts(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return [
            name
            for (name,) in connection.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' "
                "union all select view_name from duckdb_views() "
                "where schema_name = 'main' and not internal"
            ).fetchall()
        ]


def test_a_changed_dataset_alone_is_restaged_and_the_marts_equal_a_fresh_build(
    fixture_warehouse, tmp_path
):
    fixture_dir, _ = fixture_warehouse
    incremental = tmp_path / "incremental"
    shutil.copytree(fixture_dir / "raw", incremental / "raw")
    build(incremental)  # the first build stages everything
    staged = staging_cache.staged_path_of(incremental / "warehouse.duckdb")
    assert staged.is_file()

    drop_last_record(incremental / "raw" / "camrest676")
    fingerprint = state.compute_fingerprint(
        incremental / "raw", incremental / "evaluations", dbt_vars()
    )
    plan = staging_cache.plan_restaging(staged, fingerprint)
    assert plan == staging_cache.RestagePlan(full_refresh=False, datasets=("camrest676",))
    summary = build(incremental)
    assert summary.failed == 0
    assert "delete from" in (incremental / "logs" / "dbt.log").read_text()

    fresh = tmp_path / "fresh"
    shutil.copytree(incremental / "raw", fresh / "raw")
    build(fresh)

    names = marts(fresh / "warehouse.duckdb")
    assert "turns" in names and "utterance_pairs" in names
    assert sorted(names) == sorted(marts(incremental / "warehouse.duckdb"))
    with duckdb.connect() as connection:
        connection.execute(
            f"attach '{incremental / 'warehouse.duckdb'}' as incremental (read_only)"
        )
        connection.execute(f"attach '{fresh / 'warehouse.duckdb'}' as fresh (read_only)")
        for name in names:
            for left, right in (("incremental", "fresh"), ("fresh", "incremental")):
                extra = connection.execute(
                    f"select count(*) from (select * from {left}.main.{name} "
                    f"except all select * from {right}.main.{name})"
                ).fetchone()[0]
                assert extra == 0, f"{name}: {extra} row(s) in {left} only"
        camrest = connection.execute(
            "select count(*) from incremental.main.dialogues where dataset = 'camrest676'"
        ).fetchone()[0]
    assert camrest == fixture_camrest_dialogues(fixture_dir) - 1


def fixture_camrest_dialogues(fixture_dir: Path) -> int:
    with duckdb.connect(str(fixture_dir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select count(*) from dialogues where dataset = 'camrest676'"
        ).fetchone()[0]


def test_a_changed_project_stages_everything_afresh(tmp_path):
    staged = tmp_path / "warehouse.duckdb.staged"
    datasets = {name: state.DatasetState(name, f"raw-{name}", 1, 1, 1) for name in ("a", "b")}
    fingerprint = state.Fingerprint(datasets, "project-1", "", {}, {})
    staging_cache.record_staged(staged, fingerprint, ["a", "b"])
    assert staging_cache.plan_restaging(staged, fingerprint).datasets == ()
    changed_project = state.Fingerprint(datasets, "project-2", "", {}, {})
    assert staging_cache.plan_restaging(staged, changed_project).full_refresh
    staging_cache.strike_out(staged, staging_cache.RestagePlan(False, ("a",)))
    assert staging_cache.plan_restaging(staged, fingerprint).datasets == ("a",)


def test_a_forced_build_with_nothing_to_restage_records_its_books(tmp_path):
    """`run_pipeline.py --force` on an up-to-date warehouse stages nothing again: its books
    keep every dataset as staged (this failed with an empty executemany)."""
    staged = tmp_path / "warehouse.duckdb.staged"
    datasets = {name: state.DatasetState(name, f"raw-{name}", 1, 1, 1) for name in ("a", "b")}
    fingerprint = state.Fingerprint(datasets, "project-1", "", {}, {})
    staging_cache.record_staged(staged, fingerprint, ["a", "b"])
    plan = staging_cache.plan_restaging(staged, fingerprint)
    assert plan.datasets == () and not plan.full_refresh
    staging_cache.record_staged(staged, fingerprint, plan.datasets)
    assert staging_cache.plan_restaging(staged, fingerprint).datasets == ()
