"""Pairs: the contrastive utterance pairs, their lengths and the filters that made them."""

import streamlit as st

from dashboard import charts, components, queries

st.title("Pairs")
st.caption(
    "The `utterance_pairs` mart, measured in `pair_metrics`; `pair_filter_steps` explains "
    "how many candidates each filter removed."
)

if components.require(queries.PAIR_METRICS, "pair_length_histograms", "utterance_pairs"):
    filters = components.sidebar_filters(queries.filter_options(queries.PAIR_METRICS), "pairs")
    components.totals_row(
        queries.pair_totals(filters),
        counts={"Pairs": "pairs", "next_turn": "next_turn", "context_response": "context_response"},
        means={"Anchor words (mean)": "anchor_words", "Positive words (mean)": "positive_words"},
    )

    metrics = queries.pair_metrics(filters)
    pair_types = tuple(sorted(metrics["pair_type"].unique())) if not metrics.empty else ()
    left, right = st.columns(2)
    components.draw(
        left, charts.counts_by_dataset(metrics, "n_pairs", "pair_type", "Pairs by type", "pairs")
    )
    components.draw(
        right, charts.counts_by_dataset(metrics, "n_pairs", "split", "Pairs by split", "pairs")
    )
    components.draw(
        st,
        charts.grouped_length_histogram(
            queries.pair_length_histogram(filters, pair_types), "Anchor and positive length"
        ),
    )
    steps = queries.pair_filter_steps(filters)
    if not steps.empty:
        components.draw(st, charts.filter_funnel(steps, "Candidates remaining after each filter"))

    st.subheader("Metrics by dataset, split, locale and pair type")
    st.dataframe(metrics, hide_index=True)

    st.subheader("Sample pairs")
    if pair_types:
        pair_type = st.radio("Pair type", pair_types, horizontal=True, key="pairs_sample_type")
        samples = queries.sample_pairs(filters, pair_type)
        components.text_table(st, samples, ["anchor_text", "positive_text"])
        with st.expander("Read these pairs in full"):
            for sample in samples.itertuples():
                st.markdown(
                    f"**{sample.anchor_speaker}** (turn {sample.anchor_turn_index}): "
                    f"{components.plain(sample.anchor_text)}  \n"
                    f"**{sample.positive_speaker}** (turn {sample.positive_turn_index}): "
                    f"{components.plain(sample.positive_text)}"
                )
                st.caption(f"{sample.dataset} · {sample.split} · {sample.dialogue_id}")
