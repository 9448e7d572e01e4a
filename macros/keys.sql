{#- A dialogue's or example's corpus-wide id: dataset, split, locale and the upstream id, colon-joined
    (upstream ids repeat across splits in SGD and across language files in WOZ 2.0). `string`
    is DuckDB's name for varchar too, and Spark takes no varchar without a length. -#}
{% macro record_key(dataset, split, locale, source_id) -%}
    concat_ws(':', {{ dataset }}, {{ split }}, {{ locale }}, cast({{ source_id }} as string))
{%- endmacro %}

{#- Upstream split names (dev, val, valid, validate, ...) mapped to train / validation / test;
    anything else becomes null, which the accepted_values tests catch. -#}
{% macro normalise_split(expression) -%}
    case lower({{ expression }})
        when 'train' then 'train'
        when 'dev' then 'validation'
        when 'val' then 'validation'
        when 'valid' then 'validation'
        when 'validate' then 'validation'
        when 'validation' then 'validation'
        when 'test' then 'test'
    end
{%- endmacro %}

{#- The primary language subtag of a BCP-47 locale ("zh-TW" -> "zh"). -#}
{% macro language_of(locale) -%}
    lower(split_part({{ locale }}, '-', 1))
{%- endmacro %}

{#- The split of a record whose dataset has no upstream split: the first 8 hex digits of
    md5(key) as an integer, modulo 10: 0-7 train, 8 validation, 9 test. Stable across runs,
    machines and engines (ingest/registry.py DERIVED_SPLIT_RULE says the same in words). -#}
{% macro derived_split(key_expression) -%}
    case {{ hex_to_integer('left(md5(' ~ key_expression ~ '), 8)') }} % 10
        when 8 then 'validation'
        when 9 then 'test'
        else 'train'
    end
{%- endmacro %}

{#- The last step of a staging dialogues or examples model (kind 'dialogue' or 'example'): the
    corpus-wide <kind>_id, record_key of the relation's source_<kind>_id, first, then every
    column of the relation. -#}
{% macro keyed_records(relation, kind) %}
    select
        {{ record_key('dataset', 'split', 'locale', 'source_' ~ kind ~ '_id') }} as {{ kind }}_id,
        *
    from {{ relation }}
{% endmacro %}

{#- The last two steps of every staging dialogues or examples model (kind 'dialogue' or
    'example') and its final select: `renamed` (renamed_step: renamed_dialogues or
    renamed_examples over the model's step before) and `keyed` (keyed_records of kind), then
    `select * from keyed`. Goes after the model's earlier CTEs and their trailing comma. -#}
{% macro renamed_and_keyed(renamed_step, kind) %}
renamed as (
    {{ renamed_step }}
),

keyed as (
    {{ keyed_records('renamed', kind) }}
)

select * from keyed
{% endmacro %}

{#- A whole staging model for a source whose records are dialogues or examples, one each: the
    import CTE `source`, then renamed_and_keyed (renamed_step is SQL over `source`). -#}
{% macro staged_records(source_relation, renamed_step, kind) %}
with

source as (

    select * from {{ source_relation }}

),

{{ renamed_and_keyed(renamed_step, kind) }}
{% endmacro %}

{#- A string of hexadecimal digits as an integer (engines differ: Spark's cast gives null). -#}
{% macro hex_to_integer(expression) -%}
    {{ return(adapter.dispatch('hex_to_integer')(expression)) }}
{%- endmacro %}
{% macro duckdb__hex_to_integer(expression) -%}
    cast(('0x' || {{ expression }}) as bigint)
{%- endmacro %}
{% macro spark__hex_to_integer(expression) -%}
    {#- conv gives the unsigned decimal digits as a string; exact for up to 15 hex digits
        (derived_split takes 8). Spark's cast of '0x...' gives null, or raises under ANSI. -#}
    cast(conv({{ expression }}, 16, 10) as bigint)
{%- endmacro %}

{#- The columns a staging dialogues or examples model (kind 'dialogue' or 'example') starts
    with, over a relation with the raw store's _source_path and _record_index: dataset,
    source_path, record_index, source_<kind>_id (source_id as a string), upstream_split,
    split, split_source and locale. The split is upstream's (normalise_split of
    official_split, by default upstream_split: 'official'), or derived from
    derived_split_key where upstream has none ('derived'), or, for a rule of its own, the
    expressions split and split_source. -#}
{% macro record_columns(dataset, kind, source_id, upstream_split='_upstream_split',
    official_split=none, derived_split_key=none, split=none, split_source=none, locale='_locale') %}
        '{{ dataset }}' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast({{ source_id }} as string) as source_{{ kind }}_id,
        {{ upstream_split }} as upstream_split,
        {%- if split is not none %}
        {{ split }} as split,
        {{ split_source }} as split_source,
        {%- elif derived_split_key is none %}
        {{ normalise_split(official_split if official_split is not none else upstream_split) }} as split,
        'official' as split_source,
        {%- else %}
        {{ derived_split(derived_split_key) }} as split,
        'derived' as split_source,
        {%- endif %}
        {{ locale }} as locale
{%- endmacro %}

{#- The renaming step of a staging dialogues model: one row per row of `relation`, the columns
    of int_dialogues_unioned's contract but the id (keyed_records adds it): record_columns
    (its keyword arguments are taken here), then services, an SQL expression over the row. -#}
{% macro renamed_dialogues(dataset, relation, source_dialogue_id, services) %}
    select
        {{ record_columns(dataset, 'dialogue', source_dialogue_id, **kwargs) }},
        {{ services }} as services
    from {{ relation }}
{% endmacro %}

{#- A whole staging dialogues model for a source whose records are dialogues, one each: the
    keyword arguments are renamed_dialogues' (the upstream id and services, SQL expressions
    over the record; derived_split_key where upstream has no split). -#}
{% macro staged_dialogues(dataset, source_relation) %}
    {{ staged_records(source_relation, renamed_dialogues(dataset, 'source', **kwargs), 'dialogue') }}
{% endmacro %}
