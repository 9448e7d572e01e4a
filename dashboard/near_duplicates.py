"""The Duplicates section of the Data quality page: near-duplicates beside exact duplicates.

The Data quality page calls render_duplicates_section(filters). It reads the marts of
models/marts/near_duplicates and decontamination_summary (read-only, through dashboard.queries)
and shows: the threshold; per dataset and split, exact and near duplicates within the split
and validation/test texts equal or near to train; downstream texts equal or near to the
pre-training corpus, per pre-training dataset; what decontamination keeps out of training; and
a sample of pairs side by side with their similarity.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import components, queries

RELATIONS = (
    "near_duplicate_metrics",
    "near_duplicate_pairs",
    "near_duplicate_evaluation_overlap",
    "decontamination_summary",
)
SAMPLE_SIZE = 20
PAIR_KINDS = {
    "all pairs": "true",
    "validation/test near train (same dataset)": (
        "split in ('validation', 'test') and neighbour_split = 'train' "
        "and neighbour_dataset = dataset and neighbour_record_kind = record_kind"
    ),
    "downstream example near a pre-training utterance": (
        "record_kind = 'intent_example' and neighbour_record_kind = 'utterance'"
    ),
    "within one split": (
        "split = neighbour_split and dataset = neighbour_dataset "
        "and record_kind = neighbour_record_kind"
    ),
}


def metrics(filters: queries.Filters) -> pd.DataFrame:
    """near_duplicate_metrics in the sidebar's selection."""
    where, parameters = filters.where()
    return queries.query(
        "select record_kind, dataset, split, locale, n_records, n_exact_duplicates_within_split, "
        "n_near_duplicates_within_split, n_equal_to_train, n_near_train, n_equal_to_pretraining, "
        "n_near_pretraining, n_equal_to_evaluation, n_near_evaluation "
        f"from near_duplicate_metrics {where} order by record_kind, dataset, split, locale",
        parameters,
    )


def evaluation_overlap(filters: queries.Filters) -> pd.DataFrame:
    """Downstream examples equal or near an utterance, per pre-training dataset."""
    where, parameters = filters.where()
    return queries.query(
        "select dataset, split, locale, pretraining_dataset, n_examples, n_equal_to_pretraining, "
        f"n_near_pretraining from near_duplicate_evaluation_overlap {where} "
        "and n_near_pretraining > 0 order by dataset, split, locale, n_near_pretraining desc",
        parameters,
    )


def decontamination(filters: queries.Filters) -> pd.DataFrame:
    """decontamination_summary in the selection (its rows have no locale)."""
    where, parameters = queries.Filters(filters.datasets, filters.splits).where()
    return queries.query(
        "select dataset, split, n_turns, n_turns_test_split, n_turns_equal_to_evaluation_text, "
        "n_turns_near_evaluation_text, n_training_turns, n_pairs, n_pairs_removed, "
        "n_pairs_near_evaluation_text, n_training_pairs, decontamination_match, "
        f"decontamination_threshold from decontamination_summary {where} order by dataset, split",
        parameters,
    )


def sample_pairs(filters: queries.Filters, kind: str, limit: int = SAMPLE_SIZE) -> pd.DataFrame:
    """A deterministic sample of near-duplicate pairs of one kind, lowest similarity first (the
    pairs the threshold lets in last), in the selection (applied to the first side)."""
    where, parameters = filters.where()
    return queries.query(
        "select similarity, text, neighbour_text, record_kind, dataset, split, "
        "neighbour_record_kind, neighbour_dataset, neighbour_split, n_records, "
        "neighbour_n_records, record_id, neighbour_record_id "
        f"from near_duplicate_pairs {where} and {PAIR_KINDS[kind]} "
        "order by similarity, hash(record_id, neighbour_record_id) "
        f"limit {int(limit)}",
        parameters,
    )


def threshold() -> float | None:
    """The near_duplicate_threshold the warehouse was built with."""
    value = queries.scalar("select max(near_duplicate_threshold) from near_duplicate_metrics")
    return None if value is None or pd.isna(value) else float(value)


def exact_and_near_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Bars per dataset and split: exact against near duplicates within the split and
    validation/test texts equal or near to train."""
    long = frame.melt(
        id_vars=["dataset", "split"],
        value_vars=[
            "n_exact_duplicates_within_split",
            "n_near_duplicates_within_split",
            "n_equal_to_train",
            "n_near_train",
        ],
        var_name="measure",
        value_name="records",
    ).dropna(subset=["records"])
    names = {
        "n_exact_duplicates_within_split": "within split: exact",
        "n_near_duplicates_within_split": "within split: near",
        "n_equal_to_train": "equal to train",
        "n_near_train": "near train",
    }
    long["measure"] = long["measure"].map(names)
    long["set"] = long["dataset"] + " / " + long["split"]
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("set:N", title=None),
            yOffset=alt.YOffset("measure:N", sort=list(names.values())),
            x=alt.X("records:Q", title="records"),
            color=alt.Color("measure:N", sort=list(names.values()), title=None),
            tooltip=["dataset", "split", "measure", "records"],
        )
        .properties(height=max(180, 18 * len(long)))
    )


def render_duplicates_section(filters: queries.Filters | None = None) -> None:
    """Draw the Duplicates section (a header and what is below it) on the current page."""
    filters = filters or queries.Filters()
    st.header("Duplicates")
    if not components.require(*RELATIONS):
        return
    value = threshold()
    st.caption(
        "Exact: the texts are equal once lower-cased. Near: the Jaccard similarity of their "
        "word-bigram sets is at least the threshold"
        + (f" (**{value:g}** in this build)" if value is not None else "")
        + ", after lower-casing, dropping apostrophes and turning punctuation into spaces "
        "(MinHash and LSH find the candidates, each one is verified exactly; README, "
        "Near-duplicates). Near counts include the exact ones."
    )
    measured = metrics(filters)
    if measured.empty:
        st.caption("No compared text in this selection.")
        return
    intents = measured[measured["record_kind"] == "intent_example"]
    utterances = measured[measured["record_kind"] == "utterance"]
    # Two per row: the labels are long, and a label is never cut.
    columns = [*st.columns(2), *st.columns(2)]
    columns[0].metric(
        "Downstream duplicates within a split (exact → near)",
        f"{components.number(intents['n_exact_duplicates_within_split'].sum())} → "
        f"{components.number(intents['n_near_duplicates_within_split'].sum())}",
    )
    columns[1].metric(
        "Validation/test examples equal → near train",
        f"{components.number(intents['n_equal_to_train'].sum())} → "
        f"{components.number(intents['n_near_train'].sum())}",
    )
    columns[2].metric(
        "Downstream examples equal → near a pre-training utterance",
        f"{components.number(intents['n_equal_to_pretraining'].sum())} → "
        f"{components.number(intents['n_near_pretraining'].sum())}",
    )
    columns[3].metric(
        "Pre-training utterances equal → near an evaluation text",
        f"{components.number(utterances['n_equal_to_evaluation'].sum())} → "
        f"{components.number(utterances['n_near_evaluation'].sum())}",
    )
    if not intents.empty:
        components.draw(
            st, exact_and_near_chart(intents, "Downstream sets: exact and near duplicates")
        )
    st.dataframe(
        measured,
        hide_index=True,
        # Labels only: each column keeps the type its SQL type gives it.
        column_config={
            "n_exact_duplicates_within_split": "exact in split",
            "n_near_duplicates_within_split": "near in split",
            "n_equal_to_train": "equal to train",
            "n_near_train": "near train",
            "n_equal_to_pretraining": "equal to pre-training",
            "n_near_pretraining": "near pre-training",
            "n_equal_to_evaluation": "equal to evaluation",
            "n_near_evaluation": "near evaluation",
        },
    )

    overlap = evaluation_overlap(filters)
    st.subheader("Downstream examples near the pre-training corpus")
    if overlap.empty:
        st.caption("No downstream example in this selection is near a pre-training utterance.")
    else:
        st.dataframe(overlap, hide_index=True)

    st.subheader("Decontamination of the training exports")
    removed = decontamination(filters)
    if removed.empty:
        st.caption("No pre-training data in this selection.")
    else:
        match = removed["decontamination_match"].iloc[0]
        st.caption(
            f"decontamination_match **{match}**"
            + (
                f" at Jaccard ≥ {removed['decontamination_threshold'].iloc[0]:g}: utterances "
                "equal or near a downstream validation/test text, and the pairs spanning them, "
                "stay out of training."
                if match == "near_duplicate"
                else ": only utterances equal (lower-cased) to a downstream validation/test "
                "text stay out."
            )
        )
        st.dataframe(removed.drop(columns=["decontamination_match"]), hide_index=True)

    st.subheader("Sample pairs")
    kind = st.selectbox("Pairs", list(PAIR_KINDS), key="duplicates_pair_kind")
    pairs = sample_pairs(filters, kind)
    if pairs.empty:
        st.caption("No near-duplicate pair of this kind in this selection.")
        return
    st.caption(
        f"The {len(pairs)} least similar pairs of this kind (the ones the threshold lets in "
        "last), texts as written; similarity 1 where they differ only in case, punctuation or "
        "apostrophes."
    )
    st.dataframe(
        pairs,
        hide_index=True,
        column_config={
            "similarity": st.column_config.NumberColumn("Jaccard", format="%.3f"),
            "text": st.column_config.TextColumn("text", width="large"),
            "neighbour_text": st.column_config.TextColumn("near-duplicate", width="large"),
        },
    )
