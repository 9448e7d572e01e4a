"""Only what changed is staged again: a build after one dataset's raw data changed restages
that dataset alone (the others' staged rows are kept from the build before) and gives the same
marts as a build from nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ingest.registry import dbt_vars
from tests.support import warehouse_rows
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
    mark_first_file_changed(dataset_dir, records_removed=1)


def mark_first_file_changed(dataset_dir: Path, records_removed: int = 0) -> None:
    """The manifest says the dataset's first raw file is a new upstream version."""
    manifest = pq.read_table(dataset_dir / state.MANIFEST_NAME)
    rows = manifest.to_pylist()
    rows[0]["records"] -= records_removed
    rows[0]["git_blob_sha1"] = "0" * 40
    pq.write_table(
        manifest.from_pylist(rows, schema=manifest.schema), dataset_dir / state.MANIFEST_NAME
    )


def assert_equals_a_fresh_build(incremental: Path, tmp_path: Path) -> None:
    """The data folder's raw data built again from nothing gives the same marts."""
    fresh = tmp_path / "fresh"
    shutil.copytree(incremental / "raw", fresh / "raw")
    build(fresh)
    assert_marts_equal(incremental / "warehouse.duckdb", fresh / "warehouse.duckdb")


def assert_marts_equal(incremental: Path, fresh: Path) -> list[str]:
    """Every mart (table or view) of the two warehouses holds the same rows; their names."""
    names = marts(fresh)
    assert "turns" in names and "utterance_pairs" in names
    assert sorted(names) == sorted(marts(incremental))
    with duckdb.connect() as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{fresh}' as fresh (read_only)")
        for name in names:
            for left, right in (("incremental", "fresh"), ("fresh", "incremental")):
                extra = connection.execute(
                    f"select count(*) from (select * from {left}.main.{name} "
                    f"except all select * from {right}.main.{name})"
                ).fetchone()[0]
                assert extra == 0, f"{name}: {extra} row(s) in {left} only"
    return names


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

    assert_equals_a_fresh_build(incremental, tmp_path)
    [(camrest,)] = warehouse_rows(
        incremental, "select count(*) from dialogues where dataset = 'camrest676'"
    )
    assert camrest == fixture_camrest_dialogues(fixture_dir) - 1


def test_a_new_text_near_a_kept_one_is_paired_with_it_as_in_a_fresh_build(
    fixture_warehouse, tmp_path
):
    """The near-duplicate detection keeps what it derives from each normal form between builds
    (n-grams, LSH bands, verified pairs) and computes it for the normal forms a build adds
    alone: a CamRest676 utterance rewritten to be near a kept SGD utterance must meet it, and
    the texts the rewrite removed must leave the marts, exactly as in a build from nothing."""
    fixture_dir, _ = fixture_warehouse
    incremental = tmp_path / "incremental"
    shutil.copytree(fixture_dir / "raw", incremental / "raw")
    build(incremental)
    [(sgd_text,)] = warehouse_rows(
        incremental,
        "select text from turns where dataset = 'sgd' and n_words >= 12 order by turn_id limit 1",
    )
    near_text = sgd_text + " thanks"

    camrest = incremental / "raw" / "camrest676"
    manifest = pq.read_table(camrest / state.MANIFEST_NAME)
    parquet = camrest / manifest.column("parquet_path")[0].as_py()
    table = pq.read_table(parquet)
    records = table.to_pylist()
    records[0]["dial"][0]["usr"]["transcript"] = near_text
    pq.write_table(table.from_pylist(records, schema=table.schema), parquet)
    mark_first_file_changed(camrest)
    assert build(incremental).failed == 0

    assert_equals_a_fresh_build(incremental, tmp_path)
    [(pairs,)] = warehouse_rows(
        incremental,
        "select count(*) from near_duplicate_pairs "
        "where dataset = 'camrest676' and neighbour_dataset = 'sgd' "
        "and text = ? and not is_same_normal_form",
        [near_text],
    )
    assert pairs >= 1


def fixture_camrest_dialogues(fixture_dir: Path) -> int:
    [(dialogues,)] = warehouse_rows(
        fixture_dir, "select count(*) from dialogues where dataset = 'camrest676'"
    )
    return dialogues


def test_a_changed_project_stages_everything_afresh(tmp_path):
    staged = tmp_path / "warehouse.duckdb.staged"
    datasets = {name: state.DatasetState(name, f"raw-{name}", 1, 1, 1) for name in ("a", "b")}
    fingerprint = state.Fingerprint(datasets, "project-1", "", {}, {})
    staging_cache.record_staged(staged, fingerprint, ["a", "b"])
    assert staging_cache.plan_restaging(staged, fingerprint).datasets == ()
    changed_project = state.Fingerprint(datasets, "project-2", "", {}, {})
    assert staging_cache.plan_restaging(staged, changed_project).full_refresh
    changed_a = state.Fingerprint(
        {**datasets, "a": state.DatasetState("a", "raw-a-2", 1, 1, 1)}, "project-1", "", {}, {}
    )
    assert staging_cache.plan_restaging(staged, changed_a) == staging_cache.RestagePlan(
        False, ("a",)
    )


def test_a_build_that_did_not_finish_leaves_everything_to_be_staged_afresh(tmp_path):
    """Struck out before dbt runs, the books and the mark of a finished build come back only
    when the build succeeded: without the mark, the kept near-duplicate results may be
    half-written, so the next build stages everything afresh."""
    staged = tmp_path / "warehouse.duckdb.staged"
    datasets = {name: state.DatasetState(name, f"raw-{name}", 1, 1, 1) for name in ("a", "b")}
    fingerprint = state.Fingerprint(datasets, "project-1", "", {}, {})
    staging_cache.record_staged(staged, fingerprint, ["a", "b"])
    staging_cache.strike_out(staged, staging_cache.RestagePlan(False, ("a",)))
    assert staging_cache.plan_restaging(staged, fingerprint).full_refresh
    staging_cache.record_staged(staged, fingerprint, ["a"])  # the build finished after all
    assert staging_cache.plan_restaging(staged, fingerprint) == staging_cache.RestagePlan(False, ())
    # A forced build with nothing to restage strikes the mark out too.
    staging_cache.strike_out(staged, staging_cache.RestagePlan(False, ()))
    assert staging_cache.plan_restaging(staged, fingerprint).full_refresh


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
