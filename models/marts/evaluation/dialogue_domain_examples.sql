-- The dialogue-level evaluation set: each labelled dialogue of dialogue_domain_label_sets with
-- its text as `dialogues` joins it. A view: the text stays stored once, in dialogue_turn_lists.
with

label_sets as (

    select * from {{ ref('dialogue_domain_label_sets') }}

),

dialogues as (

    select * from {{ ref('dialogues') }}

),

final as (

    select
        {{ dialogue_columns('label_sets') }},
        label_sets.source_dialogue_id,
        label_sets.source_labels,
        label_sets.domains,
        label_sets.label_set,
        label_sets.n_domains,
        label_sets.is_single_domain,
        label_sets.domain,
        label_sets.labels_listed,
        label_sets.n_turns,
        label_sets.n_words,
        dialogues.turns,
        dialogues.dialogue_text
    from label_sets
    inner join dialogues
        on label_sets.dialogue_id = dialogues.dialogue_id

)

select * from final
