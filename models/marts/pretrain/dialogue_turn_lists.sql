-- The rows of dialogues without dialogue_text: one row per kept dialogue, with its counts and
-- its kept turns as a list. The dialogues view adds the text, joined from that list, so the
-- dialogue's text is stored once here (and once in turns), not a third time.
with

dialogues as (

    select * from {{ ref('int_dialogues_screened') }}

),

turns as (

    select * from {{ ref('turns') }}

),

turns_aggregated as (
    {{ dialogue_turns_aggregated('turns', with_text=false) }}
),

final as (

    select
        {{ dialogue_columns('dialogues', language=language_of('dialogues.locale')) }},
        dialogues.source_dialogue_id,
        dialogues.source_path,
        dialogues.services,
        cast(turns_aggregated.n_turns as integer) as n_turns,
        cast(turns_aggregated.n_user_turns as integer) as n_user_turns,
        cast(turns_aggregated.n_system_turns as integer) as n_system_turns,
        cast(dialogues.n_upstream_utterances - turns_aggregated.n_turns as integer) as n_rejected_utterances,
        cast(turns_aggregated.n_words as integer) as n_words,
        cast(turns_aggregated.n_chars as integer) as n_chars,
        turns_aggregated.turns
    from dialogues
    inner join turns_aggregated
        on dialogues.dialogue_id = turns_aggregated.dialogue_id
    where dialogues.rejection_reason is null

)

select * from final
-- Stored in dialogue_id order, so a dataset's and split's dialogues lie side by side (and
-- compress to a tenth less).
order by dialogue_id
