"""Overview: headline figures of the three tables, freshness and the test status."""

import streamlit as st

from dashboard import charts, components, queries

st.title("Overview")
components.warehouse_caption()

figures = queries.headline_figures()
pretrain, pairs, downstream = st.columns(3, border=True)
with pretrain:
    st.subheader("Pre-training corpus")
    st.metric("Dialogues", components.number(figures["dialogues"]))
    st.metric("Utterances", components.number(figures["utterances"]))
    st.metric("Dialogue datasets", components.number(figures["pretrain_datasets"]))
with pairs:
    st.subheader("Contrastive pairs")
    st.metric("Pairs", components.number(figures["pairs"]))
    st.metric("Pair datasets", components.number(figures["pair_datasets"]))
with downstream:
    st.subheader("Downstream")
    st.metric("Intent examples", components.number(figures["examples"]))
    st.metric("Labels", components.number(figures["labels"]))
    st.metric("Languages", components.number(figures["languages"]))

st.subheader("Freshness and tests")
version = queries.warehouse_version()
ingested = queries.last_ingested_at()
results = queries.run_results()
built, ingest, tested = st.columns(3)
built.metric("Warehouse built (UTC)", f"{version.modified_at:%Y-%m-%d %H:%M}")
ingest.metric("Last ingest (UTC)", "–" if ingested is None else f"{ingested:%Y-%m-%d %H:%M}")
tested.metric(
    "dbt results (UTC)", "–" if results is None else f"{results.finished_at:%Y-%m-%d %H:%M}"
)
if results is None:
    st.info(
        "This warehouse records no dbt results: it was built before builds recorded them in "
        "the warehouse. Rebuild it (`python run_pipeline.py --skip-ingest`) to see them."
    )
else:
    counts = results.test_counts
    passed, warned, failed = st.columns(3)
    passed.metric("Tests passed", components.number(counts["pass"]))
    warned.metric("Tests warned", components.number(counts["warn"]))
    failed.metric("Tests failed", components.number(counts["fail"] + counts["error"]))
    st.page_link(
        "pages/data_quality.py",
        label="Every test on the Data quality page",
        icon=":material/fact_check:",
    )

if components.require(queries.PRETRAIN_METRICS, queries.DOWNSTREAM_METRICS):
    left, right = st.columns(2)
    components.draw(
        left,
        charts.counts_by_dataset(
            queries.dialogues_by_dataset(), "n_dialogues", "split", "Dialogues", "dialogues"
        ),
    )
    components.draw(
        right,
        charts.counts_by_dataset(
            queries.examples_by_dataset(), "n_examples", "split", "Intent examples", "examples"
        ),
    )
if queries.has_relation(queries.PAIR_METRICS):
    components.draw(
        st,
        charts.counts_by_dataset(
            queries.pairs_by_dataset(), "n_pairs", "pair_type", "Contrastive pairs", "pairs"
        ),
    )

docs = queries.docs_site()
if docs is not None:
    st.caption(
        f"The dbt documentation of this build (every model and column, the lineage up to this "
        f"dashboard) is in `{docs}`: serve it with `dbt docs serve --project-dir . "
        f"--profiles-dir . --target-path {docs} --port 8080`."
    )

freshness = queries.source_freshness()
if not freshness.empty:
    st.subheader("Sources")
    st.dataframe(freshness, hide_index=True)
