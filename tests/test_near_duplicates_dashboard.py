"""The dashboard's Duplicates section (dashboard/near_duplicates.py) under AppTest, on the
fixture warehouse: it runs without exception and its figures are the marts' counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

TIMEOUT = 60


def section_page() -> None:
    """A page holding only the section, as the Data quality page calls it."""
    from dashboard.near_duplicates import render_duplicates_section

    render_duplicates_section()


@pytest.fixture
def warehouse(fixture_warehouse, monkeypatch) -> Path:
    data_dir, _ = fixture_warehouse
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(data_dir / "warehouse.duckdb"))
    yield data_dir / "warehouse.duckdb"
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_section_shows_the_marts_counts_and_sample_pairs(warehouse):
    app = AppTest.from_function(section_page, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert not app.error and not app.info
    assert [header.value for header in app.header] == ["Duplicates"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(exact, near, threshold)] = connection.execute(
            "select sum(n_equal_to_train), sum(n_near_train), max(near_duplicate_threshold) "
            "from near_duplicate_metrics where record_kind = 'intent_example'"
        ).fetchall()
        [(pairs,)] = connection.execute("select count(*) from near_duplicate_pairs").fetchall()
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Validation/test examples equal → near train"] == f"{exact:,} → {near:,}"
    assert f"{threshold:g}" in app.caption[0].value
    # The sample of all pairs: as many as there are, up to 20, least similar first.
    sample = app.dataframe[-1].value
    assert pairs > 0  # the CamRest676 fixture's turn equal to a BANKING77 test text, at least
    assert len(sample) == min(pairs, 20)
    assert list(sample["similarity"]) == sorted(sample["similarity"])
    for kind in app.selectbox(key="duplicates_pair_kind").options:
        app.selectbox(key="duplicates_pair_kind").select(kind).run()
        assert not app.exception, kind
