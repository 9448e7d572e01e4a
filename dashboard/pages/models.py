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
# Whole-dialogue tasks: one per dialogue input (`<task>_joined`, `<task>_pooled`).
DIALOGUE_TASK_TITLES = {
    "dialogue_domain": "Dialogue domain classification",
    "dialogue_domain_multilabel": "Dialogue domains, multi-label",
    "dialogue_clustering": "Dialogue clustering by domain",
    "dialogue_retrieval": "Dialogue retrieval by label set",
}
DIALOGUE_TASK_NOTES = {
    "dialogue_domain": "Logistic regression on single-domain train dialogues, scored on the "
    "single-domain test dialogues of a train domain.",
    "dialogue_domain_multilabel": "One classifier per domain on every train dialogue; exact "
    "set and F1 on the test dialogues, also on the multi-domain ones alone.",
    "dialogue_clustering": "k-means with k = the number of domains on single-domain test "
    "dialogues, averaged over 10 seeds.",
    "dialogue_retrieval": "Each test dialogue ranks the others; a hit shares its label set. "
    "Recall@k: a hit among the first k.",
}
DIALOGUE_INPUTS = {
    "joined": "turns joined (cut at the model's length)",
    "pooled": "turns embedded one by one, mean-pooled",
}
# Their metrics to compare by, beside the page's usual ones (spreads and MRR stay in the table
# of every score).
HEADLINE_METRICS = (
    *charts.HEADLINE_METRICS,
    "f1_micro",
    "subset_accuracy",
    "v_measure",
    "adjusted_rand_index",
    "map",
)


def _dialogue_task(task: str) -> tuple[str, str] | None:
    """(family, input) of a whole-dialogue task name, or None."""
    family, _, dialogue_input = task.rpartition("_")
    if family in DIALOGUE_TASK_TITLES and dialogue_input in DIALOGUE_INPUTS:
        return family, dialogue_input
    return None


def task_title(task: str) -> str:
    if dialogue_task := _dialogue_task(task):
        family, dialogue_input = dialogue_task
        return f"{DIALOGUE_TASK_TITLES[family]}, {DIALOGUE_INPUTS[dialogue_input]}"
    if task.startswith("intent_prototype_"):
        shots = task.removeprefix("intent_prototype_").removesuffix("shot")
        return f"Intent classification, {shots}-shot prototypes (DSE)"
    return TASK_TITLES.get(task, task)


def task_note(task: str) -> str:
    if dialogue_task := _dialogue_task(task):
        return DIALOGUE_TASK_NOTES[dialogue_task[0]]
    return TASK_NOTES.get(task, "")


@st.cache_resource(max_entries=64, show_spinner=False)
def task_chart(scores: pd.DataFrame, title: str):
    """A task's chart (charts.embedder_task_chart), built once per set of scores and shared by
    every visit: Altair takes ~0.1 s of its own to build one, and the page has one per task."""
    return charts.embedder_task_chart(scores, title)


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
    headline = shown[shown["metric"].isin(HEADLINE_METRICS)]
    # A task with none of the headline metrics shows all of its own.
    shown = pd.concat([headline, shown[~shown["task"].isin(headline["task"])]], ignore_index=True)
    every = queries.embedder_scores()
    components.metric_row(
        {
            "Models": scores["model_label"].nunique(),
            "Tasks": scores["task"].nunique(),
            "Evaluation runs": every["run_id"].nunique(),
            "Scores shown": f"{len(shown):,}",
        }
    )
    st.caption(
        f"{len(shown):,} scores shown below (the headline metrics of the newest runs of the "
        f"chosen models); the table at the bottom has all {len(every):,} scores of every run."
    )
    metric_rank = {metric: rank for rank, metric in enumerate(HEADLINE_METRICS)}
    shown = shown.assign(metric_rank=shown["metric"].map(metric_rank).fillna(len(metric_rank)))
    shown = shown.sort_values(["task", "dataset", "locale", "metric_rank", "metric"])
    for task, group in shown.groupby("task", sort=True):
        st.subheader(task_title(task))
        st.caption(f"`{task}`. {task_note(task)}".strip())
        order = [label for label in models if label in set(group["model_label"])]
        st.table(comparison_table(group, order))
        components.draw(st, task_chart(group, f"{task} (%)"))
    st.subheader("Every score")
    st.dataframe(
        every,
        hide_index=True,
        column_config={"value_percent": st.column_config.NumberColumn("value (%)", format="%.2f")},
    )
