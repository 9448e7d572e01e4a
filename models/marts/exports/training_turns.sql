-- The decontaminated pre-training utterances: turns without a training_exclusion (no test
-- split, no text equal to a downstream validation/test example and, by default, none near one).
-- A view: the export reads it once. turn_index stays that of turns (gaps where an utterance was removed), so
-- utterance_pairs' turn indices still point at the right turns.
with

turns as (

    select * from {{ ref('turns') }}

),

kept as (

    select
        turn_id,
        {{ dialogue_columns() }},
        turn_index,
        source_turn_index,
        speaker,
        text,
        n_chars,
        n_words,
        intents,
        services,
        source_dialogue_id,
        source_path
    from turns
    where training_exclusion is null

)

select * from kept
