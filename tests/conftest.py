"""Fixtures shared by several test modules."""

from __future__ import annotations

import os

import pytest

from ingest.registry import REGISTRY, dbt_vars
from ingest.runner import ensure_placeholders, run_ingest
from tests.support import FIXTURE_UPSTREAM, fixture_dataset
from warehouse.build import build_warehouse

# The fixtures are tiny: their builds may run two dbt models at a time (the default, one, keeps
# the memory of real corpora down); the mirror tests build with the defaults, as a user would.
os.environ.setdefault("DW_DBT_THREADS", "2")


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory):
    """The warehouse built from every dataset's hand-made fixtures, once per test session.

    Returns (data_dir, build summary); the warehouse is data_dir / "warehouse.duckdb".
    Tests must open it read-only and leave it as it is.
    """
    data_dir = tmp_path_factory.mktemp("fixture_run")
    datasets = [fixture_dataset(dataset_id) for dataset_id in REGISTRY]
    run_ingest(
        datasets,
        data_dir / "raw",
        data_dir / "cache",
        mirror=FIXTURE_UPSTREAM,
        progress=lambda _: None,
    )
    ensure_placeholders(list(REGISTRY.values()), data_dir / "raw")
    summary = build_warehouse(
        data_dir / "warehouse.duckdb",
        data_dir / "raw",
        target_dir=data_dir / "target",
        dbt_vars=dbt_vars(),
    )
    return data_dir, summary
