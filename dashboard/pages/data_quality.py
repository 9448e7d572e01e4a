"""Data quality: every dbt test with its status, published versus measured, rejected records,
duplicates (exact and near), schema drift (what upstream files held that their parsers did
not expect), completeness."""

import streamlit as st

from dashboard import charts, components, near_duplicates, queries

st.title("Data quality")
components.warehouse_caption()
filters = components.sidebar_filters(queries.quality_filter_options(), "quality")

st.header("dbt tests")
results = queries.run_results()
if results is None:
    st.info(
        "This warehouse records no dbt results: it was built before builds recorded them in "
        "the warehouse. Rebuild it (`python run_pipeline.py --skip-ingest`) to see them."
    )
else:
    versions = ", ".join(f"{name} {version}" for name, version in results.versions.items())
    st.caption(
        f"The build that made this warehouse (recorded in it, schema `build`): "
        f"`{results.command_line or 'dbt ' + results.command}`, finished "
        f"{results.finished_at:%Y-%m-%d %H:%M:%S} UTC after {results.elapsed_seconds:.0f} s "
        f"({versions}). dbt's final line: `{results.status_line_text}`"
    )
    st.caption(
        "The counts below are of data tests (dbt nodes `test.*`); dbt's line counts every node: "
        "models, seeds and unit tests as well."
    )
    if not results.failed_nodes.empty:
        st.error(
            f"{len(results.failed_nodes)} node(s) other than data tests failed in this dbt run; "
            "tests that depend on them were skipped."
        )
        st.dataframe(results.failed_nodes, hide_index=True)
    counts = results.test_counts
    unit_tests = results.unit_tests
    unit_tests_passed = (unit_tests["status"] == "pass").sum() if not unit_tests.empty else 0
    components.metric_row(
        {
            "Passed": components.number(counts["pass"]),
            "Warned": components.number(counts["warn"]),
            "Failed": components.number(counts["fail"]),
            "Errored": components.number(counts["error"]),
            "Unit tests passed": f"{unit_tests_passed} of {len(unit_tests)}",
        }
    )
    # What each warned or failed test found, with a sample of its rows, before the table.
    flagged = results.tests[results.tests["status"].isin(["warn", "fail", "error"])]
    for test in flagged.itertuples():
        found = test.failing_rows if isinstance(test.failing_rows, str) else ""
        message = test.message if isinstance(test.message, str) else ""
        line = f"**{test.test}** ({test.status}): {found or message or 'see the table'}"
        (st.warning if test.status == "warn" else st.error)(line)
    left, right = st.columns([1, 2])
    components.draw(left, charts.test_statuses(counts, "Data tests by status"))
    with right:
        statuses = st.multiselect(
            "Show tests with status",
            ["pass", "warn", "fail", "error", "skipped"],
            default=["warn", "fail", "error"],
            key="quality_statuses",
        )
        shown = results.tests[results.tests["status"].isin(statuses)]
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                "failures": st.column_config.NumberColumn("failing rows"),
                "failing_rows": st.column_config.TextColumn("what it found"),
                "unique_id": None,
            },
        )

st.header("Published versus measured")
published = queries.published_comparison(filters)
if published.empty:
    st.info("No published figure for the ingested datasets.")
else:
    reproduced = int(published["is_reproduced"].sum())
    st.caption(
        f"{reproduced} of {len(published)} published figures reproduced. A figure that differs "
        "fails the build when its source is complete and verified, and warns otherwise."
    )
    components.draw(
        st, charts.published_versus_measured(published, "Published and measured counts")
    )
    st.dataframe(published, hide_index=True)

st.header("Rejected records")
rejected = queries.rejected_counts(filters)
if rejected.empty:
    st.info("No rejected record in this selection.")
else:
    left, right = st.columns([1, 2])
    components.draw(left, charts.rejected_by_reason(rejected, "Rejected records by reason"))
    right.dataframe(rejected, hide_index=True)
    with st.expander("Rejected records (first 50)"):
        st.dataframe(queries.rejected_samples(filters), hide_index=True)

near_duplicates.render_duplicates_section(filters)

st.header("Schema drift")
drift = queries.schema_drift(filters)
if drift.empty:
    st.info(
        "No upstream file in this selection held a key, value type or archive member its "
        "parser does not expect."
    )
else:
    kept = drift[drift["is_kept_in_extra"]]
    st.caption(
        f"{len(drift)} unexpected key(s) or member(s) in {drift['source_path'].nunique()} "
        f"upstream file(s) of {drift['dataset'].nunique()} dataset(s); the build warns on each "
        "(`schema_drift_reported`). Unknown keys and values of another type "
        f"({len(kept)} here) are kept verbatim in the raw table's `_extra` column, by their "
        "path in the record, so nothing is lost; archive members of no known kind are left in "
        "the archive."
    )
    st.dataframe(
        drift,
        hide_index=True,
        # Labels only: each column keeps the type its SQL type gives it.
        column_config={
            "drift_key": "key or member",
            "drift_kind": "kind",
            "n_records": "records holding it",
            "n_file_records": "records in the file",
            "is_kept_in_extra": "kept in _extra",
        },
    )

st.header("Source completeness")
st.dataframe(queries.source_completeness(filters), hide_index=True)
