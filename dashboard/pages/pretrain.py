"""Pre-training corpus: dialogues and utterances, their lengths, by dataset, split and locale."""

import streamlit as st

from dashboard import charts, components, queries

st.title("Pre-training corpus")
st.caption("The `dialogues` and `turns` marts, measured in `pretrain_metrics`.")

if components.require(queries.PRETRAIN_METRICS, "length_histograms"):
    filters = components.sidebar_filters(
        queries.filter_options(queries.PRETRAIN_METRICS), "pretrain"
    )
    components.totals_row(
        queries.pretrain_totals(filters),
        counts={"Dialogues": "dialogues", "Utterances": "utterances", "Words": "words"},
        means={
            "Turns per dialogue (mean)": "turns_per_dialogue",
            "Words per utterance (mean)": "words_per_utterance",
        },
    )

    metrics = queries.pretrain_metrics(filters)
    left, right = st.columns(2)
    components.draw(
        left,
        charts.counts_by_dataset(
            metrics, "n_dialogues", "split", "Dialogues by split", "dialogues"
        ),
    )
    components.draw(
        right,
        charts.counts_by_dataset(
            metrics, "n_turns", "locale", "Utterances by locale", "utterances"
        ),
    )
    left, right = st.columns(2)
    components.draw(
        left,
        charts.length_histogram(
            queries.length_histogram("dialogues", filters),
            "n_records",
            "dataset",
            "Dialogue length",
            "turns per dialogue",
        ),
    )
    components.draw(
        right,
        charts.length_histogram(
            queries.length_histogram("turns", filters),
            "n_records",
            "dataset",
            "Utterance length",
            "words per utterance",
        ),
    )
    left, right = st.columns(2)
    components.draw(
        left,
        charts.summary_ranges(
            metrics, "dataset", "turns_per_dialogue", "Turns per dialogue: median-p95, mean, max"
        ),
    )
    components.draw(
        right,
        charts.summary_ranges(
            metrics, "dataset", "words_per_utterance", "Words per utterance: median-p95, mean, max"
        ),
    )

    st.subheader("Most frequent words")
    groups = queries.top_words_groups("turns", filters)
    if groups.empty:
        st.info("No words for this selection.")
    else:
        choices = [f"{row.dataset} · {row.locale}" for row in groups.itertuples()]
        chosen_column, toggle_column = st.columns([3, 2], vertical_alignment="bottom")
        chosen = chosen_column.selectbox("Dataset and locale", choices, key="pretrain_top_words")
        with_stop_words = toggle_column.toggle(
            "Include stop words",
            value=False,
            key="pretrain_stop_words",
            help="Function words such as the, is, you (seed stop_words: en, de, it).",
        )
        dataset, locale = chosen.split(" · ")
        kind = "words" if with_stop_words else "words (stop words left out)"
        components.draw(
            st,
            charts.top_words(
                queries.top_words("turns", dataset, locale, stop_words=with_stop_words),
                f"Top {kind} of {dataset} ({locale})",
            ),
        )

    st.subheader("Metrics by dataset, split and locale")
    st.dataframe(metrics, hide_index=True)
