"""Explorer: open a dialogue by id or find utterances by text; list the examples of a label."""

import streamlit as st

from dashboard import components, queries

st.title("Explorer")
dialogues_tab, examples_tab = st.tabs(["Dialogues", "Intent examples"])

with dialogues_tab:
    if components.require("dialogues", "turns", queries.PRETRAIN_METRICS):
        filters = components.sidebar_filters(
            queries.filter_options(queries.PRETRAIN_METRICS), "explorer"
        )
        search = st.text_input("Search utterances (case-insensitive)", key="explorer_search")
        if search.strip():
            found = queries.search_turns(search.strip(), filters)
            st.caption(
                f"{len(found)} utterances"
                + (
                    f" (the first {queries.SAMPLE_LIMIT})"
                    if len(found) == queries.SAMPLE_LIMIT
                    else ""
                )
            )
            components.text_table(st, found, ["text"])
            candidates = list(dict.fromkeys(found["dialogue_id"]))
        else:
            candidates = list(queries.first_dialogue_ids(filters)["dialogue_id"])
        typed = st.text_input("Dialogue id", key="explorer_dialogue_id")
        picked = st.selectbox(
            "…or pick one" + (" of the matches" if search.strip() else " of the selection"),
            candidates,
            key="explorer_pick",
        )
        dialogue_id = typed.strip() or picked
        header = queries.dialogue(dialogue_id) if dialogue_id else None
        if header is None or header.empty:
            if dialogue_id:
                st.warning(f"No dialogue with id `{dialogue_id}`.")
        else:
            row = header.iloc[0]
            st.subheader(dialogue_id)
            st.caption(
                f"{row['dataset']} · {row['split']} ({row['split_source']}) · {row['locale']} · "
                f"{row['n_turns']} turns ({row['n_user_turns']} user, {row['n_system_turns']} "
                f"system), {row['n_rejected_utterances']} rejected · `{row['source_path']}`"
            )
            for turn in queries.dialogue_turns(dialogue_id).itertuples():
                role = "user" if turn.speaker == "user" else "assistant"
                with st.chat_message(role):
                    st.markdown(components.plain(turn.text))
                    if turn.intents:
                        st.caption(f"intents: {turn.intents}")

with examples_tab:
    if components.require("intent_examples", queries.DOWNSTREAM_METRICS):
        datasets = queries.intent_datasets()
        if not datasets:
            st.info("No intent examples in the warehouse.")
        else:
            left, middle, right = st.columns(3)
            dataset = left.selectbox("Dataset", datasets, key="explorer_intent_dataset")
            options = queries.filter_options(queries.DOWNSTREAM_METRICS, "intent_examples")
            options = options[options["dataset"] == dataset]
            splits = middle.multiselect(
                "Split", sorted(options["split"].unique()), key="explorer_intent_splits"
            )
            locales = right.multiselect(
                "Locale", sorted(options["locale"].unique()), key="explorer_intent_locales"
            )
            labels = queries.intent_labels(dataset)
            choices = [f"{row.label} ({row.n_examples:,})" for row in labels.itertuples()]
            chosen = st.selectbox(
                "Label",
                range(len(choices)),
                format_func=choices.__getitem__,
                key="explorer_intent_label",
            )
            label = labels["label"].iloc[chosen]
            examples = queries.label_examples(
                dataset, label, queries.Filters((), tuple(splits), tuple(locales))
            )
            st.caption(
                f"{len(examples)} examples of `{label}` shown (at most {queries.SAMPLE_LIMIT})."
            )
            components.text_table(st, examples, ["text"])
