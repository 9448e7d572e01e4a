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

{#- The last step of a staging examples model: the corpus-wide example_id first, then every
    column of the relation. -#}
{% macro keyed_examples(relation) %}
    select
        {{ record_key('dataset', 'split', 'locale', 'source_example_id') }} as example_id,
        *
    from {{ relation }}
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

{#- The last step of a staging dialogues model: the corpus-wide dialogue_id first, then every
    column of the relation. -#}
{% macro keyed_dialogues(relation) %}
    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from {{ relation }}
{% endmacro %}

{#- A whole staging dialogues model for a source whose records are dialogues: the upstream id
    and services are SQL expressions over the record; the split is upstream's
    (normalise_split), or derived from derived_split_key where upstream has none. -#}
{% macro staged_dialogues(dataset, source_relation, source_dialogue_id, services, derived_split_key=none) %}
with

source as (

    select * from {{ source_relation }}

),

renamed as (

    select
        '{{ dataset }}' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast({{ source_dialogue_id }} as string) as source_dialogue_id,
        _upstream_split as upstream_split,
        {%- if derived_split_key is none %}
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        {%- else %}
        {{ derived_split(derived_split_key) }} as split,
        'derived' as split_source,
        {%- endif %}
        _locale as locale,
        {{ services }} as services
    from source

),

keyed as (
    {{ keyed_dialogues('renamed') }}
)

select * from keyed
{% endmacro %}
