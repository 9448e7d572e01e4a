{#- Staging shared by the dialogue datasets whose utterances carry no annotation: every
    staging utterances model ends with the same columns, in the same order, that
    int_utterances_unioned's contract states. -#}

{#- The last step of a staging utterances model: the dataset id, the upstream and cleaned
    text, and null annotations, from a relation with source_path, record_index,
    source_turn_index, upstream_speaker, speaker and raw_text. -#}
{% macro normalised_utterances(dataset, relation) %}
    select
        '{{ dataset }}' as dataset,
        source_path,
        record_index,
        source_turn_index,
        upstream_speaker,
        speaker,
        raw_text,
        {{ clean_text('raw_text') }} as text,
        cast(null as {{ string_list_type() }}) as intents,
        cast(null as {{ string_list_type() }}) as services
    from {{ relation }}
{% endmacro %}

{#- One utterance per element of a list column, in upstream order (KVRET, Frames, MetaLWOZ):
    upstream_speaker and raw_text are expressions over the element `turn` and its 0-based
    position `source_turn_index`; speakers maps upstream speaker names to user / system. -#}
{% macro listed_turn_utterances(dataset, source_relation, list_column, upstream_speaker, speakers, raw_text) %}
with

source as (

    select * from {{ source_relation }}

),

turns as (

    select
        _source_path as source_path,
        _record_index as record_index,
        {{ unnest_with_position(list_column, 'turn', 'source_turn_index') }}
    from source

),

renamed as (

    select
        source_path,
        record_index,
        source_turn_index,
        {{ upstream_speaker }} as upstream_speaker,
        case {{ upstream_speaker }}
            {%- for upstream_name, speaker in speakers.items() %}
            when '{{ upstream_name }}' then '{{ speaker }}'
            {%- endfor %}
        end as speaker,
        {{ raw_text }} as raw_text
    from turns

),

normalised as (
    {{ normalised_utterances(dataset, 'renamed') }}
)

select * from normalised
{% endmacro %}
