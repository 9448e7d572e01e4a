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
    frame order; system frames carry no state, so system turns have null intents. services is
    each frame's service and frame_intents each frame's active_intent ('NONE' where its
    service is not active, null where the frame has no state), both in frame order. -#}
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
        carried_columns=['turn_intents', 'frame_services', 'frame_intents'],
    ) }}
),

normalised as (
    {{ normalised_utterances(
        dataset,
        'renamed',
        intents='turn_intents',
        services='frame_services',
        frame_intents='frame_intents',
    ) }}
)

select * from normalised
{% endmacro %}

{#- The active intents of a turn, each with the services of the frames in which it is active:
    for each element of `intents` (the turn's distinct active intents, in frame order), a
    struct {intent, services}, services sorted and each once. `services` and `frame_intents`
    are the turn's frames' services and active intents, in frame order; null intents give
    null. -#}
{% macro intents_with_services(intents, services, frame_intents) -%}
    {{ return(adapter.dispatch('intents_with_services')(intents, services, frame_intents)) }}
{%- endmacro %}
{% macro duckdb__intents_with_services(intents, services, frame_intents) -%}
    [
        {
            'intent': turn_intent,
            'services': list_sort(list_distinct([
                {{ services }}[position]
                for position in range(1, len({{ services }}) + 1)
                if {{ frame_intents }}[position] = turn_intent
            ]))
        }
        for turn_intent in {{ intents }}
    ]
{%- endmacro %}
{% macro spark__intents_with_services(intents, services, frame_intents) -%}
    transform({{ intents }}, turn_intent -> named_struct(
        'intent', turn_intent,
        'services', array_sort(array_distinct(filter(
            zip_with(
                {{ services }},
                {{ frame_intents }},
                (service, frame_intent) -> if(frame_intent = turn_intent, service, null)
            ),
            service -> service is not null
        )))
    ))
{%- endmacro %}
