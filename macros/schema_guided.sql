{#- Staging for the Schema-Guided format that SGD and MultiWOZ 2.2 share: a JSON array of
    dialogues {dialogue_id, services, turns: [{speaker, utterance, frames}]}, the folder as
    split. Each dataset's staging models call these with their own source relation. -#}

{#- One row per upstream dialogue. -#}
{% macro schema_guided_dialogues(dataset, source_relation) %}
    {{ staged_dialogues(
        dataset,
        source_relation,
        source_dialogue_id='dialogue_id',
        services='cast(services as ' ~ string_list_type() ~ ')',
    ) }}
{% endmacro %}

{#- One row per upstream turn, numbered by its position in `turns`. The intents of a user
    turn are the active_intent values of its frames' states other than 'NONE', each once, in
    frame order; system frames carry no state, so system turns have null intents. -#}
{% macro schema_guided_utterances(dataset, source_relation) %}
with

source as (

    select * from {{ source_relation }}

),

turns as (
    {{ record_list_elements('source', 'turns', 'turn', 'source_turn_index') }}
),

frames_read as (

    select
        *,
        {{ list_field('turn.frames', 'service') }} as frame_services,
        {{ list_field('turn.frames', 'state.active_intent', present_field='state') }} as frame_intents
    from turns

),

intents_listed as (

    select
        *,
        case
            when {{ list_length('frame_intents') }} > 0
                then {{ list_distinct_in_order('frame_intents', "'NONE'") }}
        end as turn_intents
    from frames_read

),

renamed as (
    {{ speakers_named(
        'intents_listed',
        upstream_speaker='turn.speaker',
        speakers={'USER': 'user', 'SYSTEM': 'system'},
        raw_text='turn.utterance',
        carried_columns=['turn_intents', 'frame_services'],
    ) }}
),

normalised as (
    {{ normalised_utterances(dataset, 'renamed', intents='turn_intents', services='frame_services') }}
)

select * from normalised
{% endmacro %}

{#- One row per frame of every upstream turn, with the frame's service and, on user frames,
    its state's active_intent ('NONE' where the service is not active; null on system frames,
    which carry no state). -#}
{% macro schema_guided_frames(dataset, source_relation) %}
with

source as (

    select * from {{ source_relation }}

),

turns as (
    {{ record_list_elements('source', 'turns', 'turn', 'source_turn_index') }}
),

frames as (

    select
        source_path,
        record_index,
        source_turn_index,
        turn.speaker as upstream_speaker,
        {{ unnest_with_position('turn.frames', 'frame', 'frame_index') }}
    from turns

),

renamed as (

    select
        '{{ dataset }}' as dataset,
        source_path,
        record_index,
        source_turn_index,
        frame_index,
        upstream_speaker,
        frame.service as service,
        frame.state.active_intent as active_intent
    from frames

)

select * from renamed
{% endmacro %}
