with

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

kept as (

    select * from utterances
    where rejection_reason is null

),

final as (

    select
        {{ turn_id('dialogue_id', 'source_turn_index') }} as turn_id,
        {{ dialogue_columns(language=language_of('locale')) }},
        cast(turn_index as integer) as turn_index,
        cast(source_turn_index as integer) as source_turn_index,
        speaker,
        text,
        cast(n_chars as integer) as n_chars,
        cast(n_words as integer) as n_words,
        intents,
        services,
        source_dialogue_id,
        source_path,
        training_exclusion
    from kept

)

select * from final
