-- Each upstream turn holds a user utterance and the system reply that follows it:
-- the user's is utterance 2t, the system's 2t + 1.
with

source as (

    select * from {{ source('camrest676', 'dialogues') }}

),

turns as (
    {{ record_list_elements('source', 'dial', 'turn', 'turn_position') }}
),

user_utterances as (

    select
        source_path,
        record_index,
        2 * turn_position as source_turn_index,
        'usr' as upstream_speaker,
        'user' as speaker,
        turn.usr.transcript as raw_text
    from turns

),

system_utterances as (

    select
        source_path,
        record_index,
        2 * turn_position + 1 as source_turn_index,
        'sys' as upstream_speaker,
        'system' as speaker,
        turn.sys.sent as raw_text
    from turns

),

unioned as (

    select * from user_utterances
    union all
    select * from system_utterances

),

normalised as (
    {{ normalised_utterances('camrest676', 'unioned') }}
)

select * from normalised
