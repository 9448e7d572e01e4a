{#- Staging shared by the dialogue datasets' utterances: every staging utterances model ends
    with the same columns, in the same order, that int_utterances_unioned's contract states
    (normalised_utterances); most read a list column of the dialogue records
    (record_list_elements) and name its speakers (speakers_named). -#}

{#- The last step of a staging utterances model: the dataset id, the upstream and cleaned
    text, and the annotations (intents, services and frame_intents: lists of strings, SQL
    expressions over the relation; null where the source has none), from a relation with
    source_path, record_index, source_turn_index, upstream_speaker, speaker and raw_text. -#}
{% macro normalised_utterances(dataset, relation, intents='null', services='null', frame_intents='null') %}
    select
        '{{ dataset }}' as dataset,
        source_path,
        record_index,
        source_turn_index,
        upstream_speaker,
        speaker,
        raw_text,
        {{ clean_text('raw_text') }} as text,
        cast({{ intents }} as {{ string_list_type() }}) as intents,
        cast({{ services }} as {{ string_list_type() }}) as services,
        cast({{ frame_intents }} as {{ string_list_type() }}) as frame_intents
    from {{ relation }}
{% endmacro %}

{#- One row per element of the list column of each raw record of `relation`: the record's
    source_path and record_index, the element as value_alias and its 0-based position in the
    list as position_alias. The first step of a staging model that unnests dialogues. -#}
{% macro record_list_elements(relation, list_column, value_alias, position_alias) %}
    select
        _source_path as source_path,
        _record_index as record_index,
        {{ unnest_with_position(list_column, value_alias, position_alias) }}
    from {{ relation }}
{% endmacro %}

{#- The renaming step of a staging utterances model, from a relation with source_path,
    record_index and source_turn_index: upstream_speaker and raw_text are SQL expressions
    over its rows; speakers maps upstream speaker names, as speaker_key (default:
    upstream_speaker) gives them, to user / system, any other to null. carried_columns are
    kept as they are, for a later step. -#}
{% macro speakers_named(relation, upstream_speaker, speakers, raw_text, speaker_key=none, carried_columns=[]) %}
    select
        source_path,
        record_index,
        source_turn_index,
        {%- for column in carried_columns %}
        {{ column }},
        {%- endfor %}
        {{ upstream_speaker }} as upstream_speaker,
        case {{ speaker_key if speaker_key is not none else upstream_speaker }}
            {%- for upstream_name, speaker in speakers.items() %}
            when '{{ upstream_name }}' then '{{ speaker }}'
            {%- endfor %}
        end as speaker,
        {{ raw_text }} as raw_text
    from {{ relation }}
{% endmacro %}

{#- One utterance per element of a list column, in upstream order (KVRET, Frames, MetaLWOZ,
    the Taskmaster releases): upstream_speaker, raw_text and speaker_key are expressions over
    the element `turn` and its 0-based position `source_turn_index`, as speakers_named takes
    them. -#}
{% macro listed_turn_utterances(dataset, source_relation, list_column, upstream_speaker, speakers, raw_text, speaker_key=none) %}
with

source as (

    select * from {{ source_relation }}

),

turns as (
    {{ record_list_elements('source', list_column, 'turn', 'source_turn_index') }}
),

renamed as (
    {{ speakers_named('turns', upstream_speaker, speakers, raw_text, speaker_key) }}
),

normalised as (
    {{ normalised_utterances(dataset, 'renamed') }}
)

select * from normalised
{% endmacro %}

{#- Two utterances per element of a list column, in a fixed order (CamRest676: the user's, then
    the system's reply; WOZ 2.0: the system's, then the user's). halves says each, in that order:
    {'upstream_speaker': the name kept in upstream_speaker, 'speaker': user or system,
    'raw_text': an SQL expression over the element `turn`, and optionally 'skipped_where': an
    SQL condition over `turn` and its 0-based position turn_position under which that half is
    no utterance (WOZ 2.0's empty placeholder before the user opens)}. Utterances are numbered
    after any skip, so source_turn_index runs 0, 1, ... per dialogue. -#}
{% macro paired_turn_utterances(dataset, source_relation, list_column, halves) %}
with

source as (

    select * from {{ source_relation }}

),

turns as (
    {{ record_list_elements('source', list_column, 'turn', 'turn_position') }}
),

halves_unrolled as (
    {%- for half in halves %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        source_path,
        record_index,
        {{ halves | length }} * turn_position + {{ loop.index0 }} as unrolled_position,
        '{{ half.upstream_speaker }}' as upstream_speaker,
        '{{ half.speaker }}' as speaker,
        {{ half.raw_text }} as raw_text
    from turns
    {%- if half.skipped_where %}
    where not ({{ half.skipped_where }})
    {%- endif %}
    {%- endfor %}

),

numbered as (

    select
        *,
        row_number() over (
            partition by source_path, record_index
            order by unrolled_position
        ) - 1 as source_turn_index
    from halves_unrolled

),

normalised as (
    {{ normalised_utterances(dataset, 'numbered') }}
)

select * from normalised
{% endmacro %}
