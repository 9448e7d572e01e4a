"""Schema drift on the fixture build: kept, queryable, reported, and nothing lost.

Three fixtures drift on purpose, as real upstream files may: a MultiWOZ 2.2 user turn carries
a key the schema does not declare (`emotion`, as EmoWOZ adds it), a Taskmaster-2 segment
offset is a string where the schema says integer, and MInDS-14's `text.zip` holds a
`README.txt` beside its `<locale>.csv` files. The build stays green and warns, naming
dataset, file, key and count; the values are in the raw tables' `_extra` column.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support import FIXTURE_UPSTREAM, REPO_ROOT, warehouse_rows

MULTIWOZ_FILE = "data/MultiWOZ_2.2/train/dialogues_001.json"
TASKMASTER_FILE = "TM-2-2020/data/flights.json"
EMOTION = [{"emotion": 3, "sentiment": 1}]


def raw_rows(data_dir: Path, dataset: str, table: str, sql: str) -> list[tuple]:
    """Rows of a query on a raw table (`raw` in the query), read as the warehouse reads it."""
    glob = data_dir / "raw" / dataset / table / "**" / "*.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"create view raw as select * from read_parquet('{glob}')")
        return connection.execute(sql).fetchall()


def fixture_records(relative: str) -> list[dict]:
    return json.loads((FIXTURE_UPSTREAM / relative).read_text(encoding="utf-8"))


def test_the_build_is_green_and_warns_naming_dataset_file_key_and_count(fixture_warehouse):
    _, summary = fixture_warehouse
    assert summary.failed == 0
    [warning] = [w for w in summary.warnings if w.startswith("schema_drift_reported")]
    n_dialogues = len(fixture_records(f"multiwoz22/{MULTIWOZ_FILE}"))
    n_flights = len(fixture_records(f"taskmaster/{TASKMASTER_FILE}"))
    # The build cuts each value to 40 characters: a long path keeps its end.
    assert warning == (
        "schema_drift_reported: 3 rows found: "
        "minds14/MInDS-14.zip/text.zip/README.txt/unread member, left in the archive, "
        "multiwoz22/…a/MultiWOZ_2.2/train/dialogues_001.json/turns[].emotion/"
        f"unknown key in 1 of {n_dialogues} record(s), "
        "taskmaster2/TM-2-2020/data/flights.json/utterances[].segments[].start_index/"
        f"other type in 1 of {n_flights} record(s)"
    )


def test_the_schema_drift_mart_lists_each_drifting_key(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select dataset, source_path, drift_key, drift_kind, n_records, is_kept_in_extra "
        "from schema_drift order by all",
    )
    assert rows == [
        ("minds14", "MInDS-14.zip", "text.zip/README.txt", "unread member", 1, False),
        ("multiwoz22", MULTIWOZ_FILE, "turns[].emotion", "unknown key", 1, True),
        (
            "taskmaster2",
            TASKMASTER_FILE,
            "utterances[].segments[].start_index",
            "other type",
            1,
            True,
        ),
    ]


def test_an_unknown_key_s_values_are_queryable_in_the_raw_table(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = raw_rows(
        data_dir,
        "multiwoz22",
        "dialogues",
        """select dialogue_id, _extra->'$."turns[0].emotion"'
           from raw where _extra is not null""",
    )
    assert [(dialogue_id, json.loads(value)) for dialogue_id, value in rows] == [
        ("PMUL0117.json", EMOTION)
    ]


def test_nothing_was_lost(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    # The drifting record is whole: upstream's value of the unknown key in `_extra`, every
    # declared field in its column, and its turns in the marts.
    upstream = fixture_records(f"multiwoz22/{MULTIWOZ_FILE}")
    assert upstream[0]["turns"][0]["emotion"] == EMOTION
    [(n_raw, utterance)] = raw_rows(
        data_dir,
        "multiwoz22",
        "dialogues",
        "select count(*), any_value(turns[1].utterance) filter (where _extra is not null) "
        f"from raw where _source_path = '{MULTIWOZ_FILE}'",
    )
    assert (n_raw, utterance) == (len(upstream), upstream[0]["turns"][0]["utterance"])
    [(n_turns,)] = warehouse_rows(
        data_dir,
        "select count(*) from turns where dataset = 'multiwoz22' and text = ?",
        [upstream[0]["turns"][0]["utterance"]],
    )
    assert n_turns == 1
    # A value of another type: null in its declared column, verbatim in `_extra`.
    [(declared, kept)] = raw_rows(
        data_dir,
        "taskmaster2",
        "dialogues",
        """select utterances[3].segments[1].start_index,
                  _extra->>'$."utterances[2].segments[0].start_index"'
           from raw where _extra is not null""",
    )
    assert (declared, kept) == (None, "0")
    # Every raw record of the drifting datasets is in a mart or rejected (dbt's
    # raw_records_reconcile test checks it too; the build did not fail).
    for dataset in ("multiwoz22", "taskmaster2", "minds14"):
        [(n_raw, n_kept, n_rejected)] = warehouse_rows(
            data_dir,
            "select n_raw_records, n_kept_records, n_rejected_records "
            "from record_reconciliation where dataset = ?",
            [dataset],
        )
        assert n_raw > 0 and n_raw == n_kept + n_rejected, dataset


@pytest.fixture
def dashboard_warehouse(fixture_warehouse, monkeypatch):
    data_dir, _ = fixture_warehouse
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(data_dir / "warehouse.duckdb"))
    yield data_dir
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_data_quality_page_lists_the_drift(dashboard_warehouse):
    app = AppTest.from_file(str(REPO_ROOT / "dashboard" / "streamlit_app.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/data_quality.py").run()
    assert not app.exception, [exception.value for exception in app.exception]
    assert "Schema drift" in [header.value for header in app.header]
    tables = [frame.value for frame in app.dataframe]
    [drift] = [table for table in tables if "drift_key" in table.columns]
    assert set(drift["drift_key"]) == {
        "text.zip/README.txt",
        "turns[].emotion",
        "utterances[].segments[].start_index",
    }
    captions = " ".join(caption.value for caption in app.caption)
    assert "3 unexpected key(s) or member(s) in 3 upstream file(s) of 3 dataset(s)" in captions


def test_a_raw_store_written_before_drift_was_recorded_still_builds(fixture_warehouse, tmp_path):
    """Manifests without the schema_drift column (every dataset ingested by an older
    version): the drift models read them as holding no drift instead of failing the build."""
    import shutil

    import pyarrow.parquet as pq

    from warehouse.build import run_dbt

    data_dir, _ = fixture_warehouse
    old = tmp_path / "old"
    shutil.copytree(data_dir / "raw", old / "raw")
    shutil.copytree(data_dir / "evaluations", old / "evaluations")
    for manifest in (old / "raw").glob("*/manifest.parquet"):
        table = pq.read_table(manifest)
        pq.write_table(table.drop_columns(["schema_drift"]), manifest)
    result = run_dbt(
        ["build", "--select", "+schema_drift", "--exclude-resource-type", "unit_test"],
        old / "warehouse.duckdb",
        old / "raw",
        quiet=True,
    )
    assert result.success, result.exception
    with duckdb.connect(str(old / "warehouse.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from schema_drift").fetchone() == (0,)
