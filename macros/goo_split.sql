{#- Staging for the Goo et al. 2018 layout SNIPS and ATIS share: per split folder three parallel
    files (label, seq.in, seq.out), line i of each belonging together. -#}
{% macro goo_split_examples(dataset, examples_relation, tokens_relation, slot_tags_relation) %}
with

examples as (

    select * from {{ examples_relation }}

),

tokens as (

    select * from {{ tokens_relation }}

),

slot_tags as (

    select * from {{ slot_tags_relation }}

),

lines_zipped as (

    select
        coalesce(
            examples._source_path, tokens._source_path, slot_tags._source_path
        ) as _source_path,
        coalesce(
            examples._record_index, tokens._record_index, slot_tags._record_index
        ) as _record_index,
        coalesce(
            examples._upstream_split, tokens._upstream_split, slot_tags._upstream_split
        ) as _upstream_split,
        coalesce(examples._locale, tokens._locale, slot_tags._locale) as _locale,
        tokens.line as token_line,
        examples.line as label_line
    from examples
    full outer join tokens
        on
            examples._upstream_split = tokens._upstream_split
            and examples._record_index = tokens._record_index
    full outer join slot_tags
        on
            coalesce(examples._upstream_split, tokens._upstream_split)
            = slot_tags._upstream_split
            and coalesce(examples._record_index, tokens._record_index)
            = slot_tags._record_index

),

{{ renamed_and_keyed(
    renamed_examples(
        dataset,
        'lines_zipped',
        source_example_id="_upstream_split || '#' || cast(_record_index + 1 as string)",
        raw_text='token_line',
        label='label_line',
    ),
    'example',
) }}
{% endmacro %}
