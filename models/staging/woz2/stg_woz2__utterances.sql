-- Each upstream turn holds the system utterance that precedes the user's, then the user's.
-- Turn 0's system_transcript is an empty placeholder (the user opens), not an utterance:
-- it is skipped there and only there; every other field, empty or not, is an utterance.
-- Utterances are numbered after the skip, so source_turn_index runs 0, 1, ... per dialogue
-- (2t - 1 for the system and 2t for the user when the placeholder was skipped).
with

source as (

    select * from {{ source('woz2', 'dialogues') }}

),

turns as (
    {{ record_list_elements('source', 'dialogue', 'turn', 'turn_position') }}
),

system_utterances as (

    select
        source_path,
        record_index,
        2 * turn_position as unrolled_position,
        'system_transcript' as upstream_speaker,
        'system' as speaker,
        turn.system_transcript as raw_text
    from turns
    where not (turn_position = 0 and coalesce(turn.system_transcript, '') = '')

),

user_utterances as (

    select
        source_path,
        record_index,
        2 * turn_position + 1 as unrolled_position,
        'transcript' as upstream_speaker,
        'user' as speaker,
        turn.transcript as raw_text
    from turns

),

unioned as (

    select * from system_utterances
    union all
    select * from user_utterances

),

numbered as (

    select
        *,
        row_number() over (
            partition by source_path, record_index
            order by unrolled_position
        ) - 1 as source_turn_index
    from unioned

),

normalised as (
    {{ normalised_utterances('woz2', 'numbered') }}
)

select * from normalised
