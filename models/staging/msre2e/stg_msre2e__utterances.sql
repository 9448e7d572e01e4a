-- One utterance per message row. Rows are not always in Message.ID order and one movie
-- session repeats an id, so messages are numbered per session by (Message.ID, file order):
-- a stable sort. Each message carries its session's (source_path, record_index) = the
-- session's first row in the file, the key stg_msre2e__dialogues gives the dialogue.
-- Consecutive messages of one sender are kept as they are; a Message.From other than user
-- or agent (upstream fixed a `usre` once) is kept verbatim and maps to a null speaker.
with

source as (

    select * from {{ source('msre2e', 'messages') }}

),

messages_numbered as (

    select
        _source_path as source_path,
        min(_record_index) over (
            partition by _source_path, session_id
        ) as record_index,
        row_number() over (
            partition by _source_path, session_id
            order by message_id, _record_index
        ) - 1 as source_turn_index,
        sender,
        text
    from source

),

renamed as (
    {{ speakers_named(
        'messages_numbered',
        upstream_speaker='sender',
        speakers={'user': 'user', 'agent': 'system'},
        raw_text='text',
    ) }}
),

normalised as (
    {{ normalised_utterances('msre2e', 'renamed') }}
)

select * from normalised
