-- Each dialogue with its turns as a list and as speaker-tagged lines: a view that joins the
-- lines from dialogue_turn_lists' list, so the text is not stored a third time.
with

dialogue_turn_lists as (

    select * from {{ ref('dialogue_turn_lists') }}

),

final as (

    select
        {{ dialogue_columns() }},
        source_dialogue_id,
        source_path,
        services,
        n_turns,
        n_user_turns,
        n_system_turns,
        n_rejected_utterances,
        n_words,
        n_chars,
        turns,
        {{ speaker_tagged_lines('turns') }} as dialogue_text
    from dialogue_turn_lists

)

select * from final
