"""Models: embedder evaluation runs compared, one table and one grouped chart per task, in
percent, each fine-tuned model beside the model it was trained from."""

import pandas as pd
import streamlit as st

from dashboard import charts, components, queries

TASK_TITLES = {
    "intent_mteb": "Intent classification, MTEB protocol",
    "intent_full": "Intent classification, whole train split",
    "oos_prototype": "Out-of-scope detection, prototype similarity",
    "oos_classifier": "Out-of-scope detection, classifier confidence",
    "dialogue_intent_turn": "Dialogue turn intent, the turn alone",
    "dialogue_intent_context": "Dialogue turn intent, with its context",
    "next_turn": "Next-turn retrieval",
}
TASK_NOTES = {
    "intent_mteb": "Logistic regression on the embeddings, 8 train examples per label, "
    "averaged over 10 draws (MTEB's classification protocol).",
    "intent_full": "Logistic regression fitted on the whole train split.",
    "oos_prototype": "CLINC150's `oos` test examples against the in-scope ones, scored by the "
    "largest similarity to a train prototype. AUROC: higher is better; FPR at 95% in-scope "
    "recall: lower is better.",
    "oos_classifier": "As above, scored by the classifier's largest class probability.",
    "dialogue_intent_turn": "MTEB's protocol on single-intent user turns of annotated dialogues.",
    "dialogue_intent_context": "The same turns with up to three turns before them.",
    "next_turn": "Each test pair's next turn retrieved among all the split's next turns.",
}


def task_title(task: str) -> str:
    if task.startswith("intent_prototype_"):
        shots = task.removeprefix("intent_prototype_").removesuffix("shot")
        return f"Intent classification, {shots}-shot prototypes (DSE)"
    return TASK_TITLES.get(task, task)


def comparison_table(scores: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per dataset, locale and metric; a column per model (percent, two decimals), the
    examples scored, and each fine-tuned model's change from its base in points."""
    keys = ["dataset", "locale", "metric"]
    values = scores.pivot_table(
        index=keys, columns="model_label", values="value_percent", aggfunc="first", sort=False
    )
    values = values[[label for label in order if label in values.columns]]
    table = values.map(lambda value: "–" if pd.isna(value) else f"{value:.2f}")
    labels = scores.drop_duplicates("model_label").set_index("model_label")
    by_model = dict(zip(labels["model"], labels.index, strict=True))
    pairs = [
        (label, by_model[labels.at[label, "base_model"]])
        for label in values.columns
        if pd.notna(labels.at[label, "base_model"]) and labels.at[label, "base_model"] in by_model
    ]
    for tuned, base in pairs:
        change = values[tuned] - values[base]
        name = "change vs base" if len(pairs) == 1 else f"change: {tuned} vs base"
        table[name] = change.map(lambda value: "–" if pd.isna(value) else f"{value:+.2f}")
    examples = scores.groupby(keys, sort=False)["n_examples"].max()
    table.insert(0, "examples", examples.reindex(table.index).map(components.number))
    table.columns.name = None
    return table


st.title("Models")
st.caption(
    "Scores of embedder evaluation runs (`embedder_scores`), in percent: per model, revision, "
    "dataset, locale, task and metric the newest run counts. A fine-tuned model (its "
    "`base_model` recorded by `python -m embedder_train`) stands beside its base, with the "
    "change in points."
)

scores = queries.latest_embedder_scores()
if scores.empty:
    st.info(
        "No evaluation run yet: `embedder_scores` is missing or empty. Run the embedder "
        "evaluation, then rebuild the warehouse."
    )
else:
    models = charts.model_order(scores)
    chosen = st.multiselect("Models", models, default=models, key="models_chosen")
    shown = scores[scores["model_label"].isin(chosen)]
    headline = shown[shown["metric"].isin(charts.HEADLINE_METRICS)]
    # A task with none of the headline metrics shows all of its own.
    shown = pd.concat([headline, shown[~shown["task"].isin(headline["task"])]], ignore_index=True)
    every = queries.embedder_scores()
    columns = st.columns(4)
    columns[0].metric("Models", scores["model_label"].nunique())
    columns[1].metric("Tasks", scores["task"].nunique())
    columns[2].metric("Evaluation runs", every["run_id"].nunique())
    columns[3].metric("Scores shown", f"{len(shown):,}")
    st.caption(
        f"{len(shown):,} scores shown below (the headline metrics of the newest runs of the "
        f"chosen models); the table at the bottom has all {len(every):,} scores of every run."
    )
    metric_rank = {metric: rank for rank, metric in enumerate(charts.HEADLINE_METRICS)}
    shown = shown.assign(metric_rank=shown["metric"].map(metric_rank).fillna(len(metric_rank)))
    shown = shown.sort_values(["task", "dataset", "locale", "metric_rank", "metric"])
    for task, group in shown.groupby("task", sort=True):
        st.subheader(task_title(task))
        st.caption(f"`{task}`. {TASK_NOTES.get(task, '')}".strip())
        order = [label for label in models if label in set(group["model_label"])]
        st.table(comparison_table(group, order))
        components.draw(st, charts.embedder_task_chart(group, f"{task} (%)"))
    st.subheader("Every score")
    st.dataframe(
        every,
        hide_index=True,
        column_config={"value_percent": st.column_config.NumberColumn("value (%)", format="%.2f")},
    )
