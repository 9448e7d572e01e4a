{#- Staging for the utterances of the Taskmaster releases, which share one shape: every element
    of a dialogue's `utterances` is one utterance, in upstream order; runs of one speaker stay
    as they are. Speakers are USER/ASSISTANT (TM-1, TM-2) or user/assistant (TM-3, TM-4). -#}
{% macro taskmaster_utterances(dataset, source_relation) %}
with

source as (

    select * from {{ source_relation }}

),

utterances as (

    select
        _source_path as source_path,
        _record_index as record_index,
        {{ unnest_with_position('utterances', 'utterance', 'utterance_position') }}
    from source

),

renamed as (

    select
        source_path,
        record_index,
        utterance_position as source_turn_index,
        utterance.speaker as upstream_speaker,
        case lower(utterance.speaker)
            when 'user' then 'user'
            when 'assistant' then 'system'
        end as speaker,
        utterance.text as raw_text
    from utterances

),

normalised as (
    {{ normalised_utterances(dataset, 'renamed') }}
)

select * from normalised
{% endmacro %}
