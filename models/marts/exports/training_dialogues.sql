-- The decontaminated pre-training dialogues, rebuilt from training_turns. A view: the export
-- reads it once.
with

dialogues as (

    select * from {{ ref('dialogue_turn_lists') }}

),

training_turns as (

    select * from {{ ref('training_turns') }}

),

turns_aggregated as (
    {{ dialogue_turns_aggregated('training_turns') }}
),

final as (

    select
        {{ dialogue_columns('dialogues') }},
        dialogues.source_dialogue_id,
        dialogues.services,
        cast(turns_aggregated.n_turns as integer) as n_turns,
        cast(dialogues.n_turns - turns_aggregated.n_turns as integer) as n_turns_removed,
        cast(turns_aggregated.n_words as integer) as n_words,
        turns_aggregated.turns,
        turns_aggregated.dialogue_text
    from dialogues
    inner join turns_aggregated
        on dialogues.dialogue_id = turns_aggregated.dialogue_id

)

select * from final
