{#- Staging shared by the intent-classification datasets: every staging examples model ends
    with the same columns, in the same order, that int_intent_examples_unioned's contract
    states: renamed_examples, then keyed_records. -#}

{#- The renaming step of a staging examples model: one row per row of `relation`, the columns
    of int_intent_examples_unioned's contract but the id (keyed_records adds it):
    record_columns (its keyword arguments are taken here), then the example's columns, SQL
    expressions over the row; text is raw_text cleaned (clean_text). -#}
{% macro renamed_examples(dataset, relation, source_example_id, raw_text, label,
    english_text='cast(null as string)', scenario='cast(null as string)', is_out_of_scope='false') %}
    select
        {{ record_columns(dataset, 'example', source_example_id, **kwargs) }},
        {{ raw_text }} as raw_text,
        {{ clean_text(raw_text) }} as text,
        {{ english_text }} as english_text,
        {{ label }} as label,
        {{ scenario }} as scenario,
        {{ is_out_of_scope }} as is_out_of_scope
    from {{ relation }}
{% endmacro %}

{#- A whole staging examples model for a source whose records are examples, one each: the
    keyword arguments are renamed_examples'. -#}
{% macro staged_examples(dataset, source_relation) %}
    {{ staged_records(source_relation, renamed_examples(dataset, 'source', **kwargs), 'example') }}
{% endmacro %}
