"""Downstream: the intent-classification sets, by split, language and label."""

import streamlit as st

from dashboard import charts, components, queries

TABLES = {
    "Intent examples": "intent_examples",
    "Dialogue intent examples": "dialogue_intent_examples",
}

st.title("Downstream")
st.caption(
    "The `intent_examples` and `dialogue_intent_examples` marts, measured in "
    "`downstream_metrics` and `downstream_label_distribution`."
)

if components.require(queries.DOWNSTREAM_METRICS, "downstream_label_distribution"):
    filled = queries.downstream_tables_with_rows()
    first_filled = next(
        (position for position, name in enumerate(TABLES.values()) if name in filled), 0
    )
    table_label = st.radio(
        "Table", list(TABLES), index=first_filled, horizontal=True, key="downstream_table"
    )
    table_name = TABLES[table_label]
    filters = components.sidebar_filters(
        queries.filter_options(queries.DOWNSTREAM_METRICS, table_name),
        f"downstream_{table_name}",
    )
    components.totals_row(
        queries.downstream_totals(filters, table_name),
        counts={
            "Examples": "examples",
            "Labels": "labels",
            "Languages": "languages",
            "Locales": "locales",
        },
        means={"Words per example (mean)": "words_per_example"},
    )

    metrics = queries.downstream_metrics(filters, table_name)
    if metrics.empty:
        st.info(f"No rows in {table_name} for this selection.")
    else:
        left, right = st.columns(2)
        components.draw(
            left,
            charts.counts_by_dataset(
                metrics, "n_examples", "split", "Examples by split", "examples"
            ),
        )
        by_language = queries.examples_by_language(filters, table_name)
        components.figure_or_chart(
            right,
            by_language,
            "language",
            "n_examples",
            "Examples",
            charts.examples_by_language(by_language, "Examples by language"),
        )
        left, right = st.columns(2)
        components.draw(
            left,
            charts.length_histogram(
                queries.length_histogram(table_name, filters),
                "n_records",
                "dataset",
                "Example length",
                "words per example",
            ),
        )
        components.draw(
            right,
            charts.summary_ranges(
                metrics, "dataset", "words_per_example", "Words per example: median-p95, mean, max"
            ),
        )

        st.subheader("Labels")
        datasets = sorted(metrics["dataset"].unique())
        dataset = st.selectbox("Dataset", datasets, key=f"downstream_labels_of_{table_name}")
        components.draw(
            st,
            charts.labels(
                queries.label_distribution(table_name, dataset, filters),
                f"Examples per label of {dataset}",
            ),
        )

        st.subheader("Metrics by dataset, split and locale")
        st.dataframe(metrics, hide_index=True)
