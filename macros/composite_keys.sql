{#- Composite keys, said once: the column lists and join conditions that several models spell
    out column by column. Plain SQL that every engine runs (no dispatch needed). -#}

{#- The columns of a text group in the near-duplicate models (int_near_duplicate_groups): a
    normal form as held by one record kind, dataset, split and locale. -#}
{% macro near_duplicate_group_key() -%}
    {{ return(['text_number', 'record_kind', 'dataset', 'split', 'locale']) }}
{%- endmacro %}

{#- The columns that place a dialogue in the corpus, in the order the dialogue and turn marts
    start with them: dialogue_id, dataset, split, split_source, locale, language (a turn
    carries its dialogue's). relation qualifies them, where given; language, where given, is the
    expression the language is taken from (the marts that first derive it from the locale). -#}
{% macro dialogue_columns(relation=none, language=none) -%}
    {%- set columns = ['dialogue_id', 'dataset', 'split', 'split_source', 'locale'] -%}
    {%- if language is none -%}
        {{ key_columns(relation, columns + ['language']) }}
    {%- else -%}
        {{ key_columns(relation, columns) }}, {{ language }} as language
    {%- endif -%}
{%- endmacro %}

{#- The columns that say which utterance pair a row is, in the order the pair marts hold them:
    pair_type, its dialogue's dataset, split, split_source, locale, language and dialogue_id,
    then the anchor's and the positive's turn_index and speaker. relation qualifies them,
    where given. -#}
{% macro utterance_pair_columns(relation=none) -%}
    {{ key_columns(relation, [
        'pair_type', 'dataset', 'split', 'split_source', 'locale', 'language', 'dialogue_id',
        'anchor_turn_index', 'positive_turn_index', 'anchor_speaker', 'positive_speaker',
    ]) }}
{%- endmacro %}

{#- `relation.column` for each column (just `column` where relation is none), comma-separated
    (no trailing comma); with alias_prefix, each is named `<alias_prefix><column>`
    (`neighbour.split as neighbour_split`). -#}
{% macro key_columns(relation, columns, alias_prefix='') -%}
    {%- set qualifier = relation ~ '.' if relation is not none else '' -%}
    {%- set selected = [] -%}
    {%- for column in columns -%}
        {%- do selected.append(qualifier ~ column ~ ((' as ' ~ alias_prefix ~ column) if alias_prefix else '')) -%}
    {%- endfor -%}
    {{ selected | join(', ') }}
{%- endmacro %}

{#- `left.<left_prefix>column = right.column` for each column, joined with `and`: the join on a
    composite key (left_prefix: the left side holds the key as, say, `neighbour_split`). -#}
{% macro key_columns_equal(left, right, columns, left_prefix='') -%}
    {%- set conditions = [] -%}
    {%- for column in columns -%}
        {%- do conditions.append(left ~ '.' ~ left_prefix ~ column ~ ' = ' ~ right ~ '.' ~ column) -%}
    {%- endfor -%}
    {{ conditions | join(' and ') }}
{%- endmacro %}
