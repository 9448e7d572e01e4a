"""Every mart of the fixture build equals the reference saved before the fast-build redesign.

Rows are compared as multisets over the reference's columns (a mart may gain columns);
the reference files and how they were made are described in tests/reference/README.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

REFERENCE_DIR = Path(__file__).resolve().parent / "reference" / "fixture_marts"
VOLATILE_COLUMNS = {"source_completeness": {"last_ingested_at"}}  # the time of the run
REFERENCE_MARTS = sorted(path.stem for path in REFERENCE_DIR.glob("*.parquet"))


def test_every_reference_mart_is_present():
    assert len(REFERENCE_MARTS) == 27


@pytest.mark.parametrize("mart", REFERENCE_MARTS)
def test_mart_rows_equal_the_reference(fixture_warehouse, mart):
    data_dir, _ = fixture_warehouse
    reference = f"read_parquet('{REFERENCE_DIR / mart}.parquet')"
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        reference_columns = [
            row[0] for row in connection.execute(f"describe select * from {reference}").fetchall()
        ]
        built_columns = {
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'main' and table_name = ?",
                [mart],
            ).fetchall()
        }
        assert built_columns, f"{mart} is missing from the warehouse"
        assert not set(reference_columns) - built_columns, f"{mart} lost columns"
        volatile = VOLATILE_COLUMNS.get(mart, set())
        columns = ", ".join(f'"{c}"' for c in reference_columns if c not in volatile)
        built = f"select {columns} from main.{mart}"
        saved = f"select {columns} from {reference}"
        only_built, only_saved = (
            connection.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
            for left, right in ((built, saved), (saved, built))
        )
    assert (only_built, only_saved) == (0, 0), (
        f"{mart}: {only_built} row(s) only in the build, {only_saved} only in the reference"
    )
