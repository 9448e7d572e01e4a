{#- Engine-specific list and struct SQL lives here, behind adapter.dispatch, so models stay
    portable: a second engine (Spark) is added by writing its `<adapter>__` versions of
    these macros. Positions given to and taken from these macros are 1-based where noted. -#}

{#- One output row per list element, with its 0-based position. -#}
{% macro unnest_with_position(list_expression, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_with_position')(list_expression, value_alias, position_alias)) }}
{%- endmacro %}
{% macro duckdb__unnest_with_position(list_expression, value_alias, position_alias) -%}
    {#- DuckDB zips two set-returning functions in one select list. -#}
    unnest({{ list_expression }}) as {{ value_alias }},
    generate_subscripts({{ list_expression }}, 1) - 1 as {{ position_alias }}
{%- endmacro %}

{#- One output row per list element (no position). -#}
{% macro unnest_list(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__unnest_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}

{#- The number of elements of a list. -#}
{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__list_length(list_expression) -%}
    len({{ list_expression }})
{%- endmacro %}

{#- The element at a 1-based position (the last one: list_length of the list). -#}
{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element')(list_expression, position)) }}
{%- endmacro %}
{% macro duckdb__list_element(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{#- A list literal of the given SQL expressions. -#}
{% macro list_of(expressions) -%}
    {{ return(adapter.dispatch('list_of')(expressions)) }}
{%- endmacro %}
{% macro duckdb__list_of(expressions) -%}
    [{{ expressions | join(', ') }}]
{%- endmacro %}

{#- The SQL type of a list of strings, and an empty one. -#}
{% macro string_list_type() -%}
    {{ return(adapter.dispatch('string_list_type')()) }}
{%- endmacro %}
{% macro duckdb__string_list_type() -%}
    varchar[]
{%- endmacro %}
{% macro empty_string_list() -%}
    cast({{ list_of([]) }} as {{ string_list_type() }})
{%- endmacro %}

{#- A struct from an ordered mapping of field names to SQL expressions. -#}
{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of')(fields)) }}
{%- endmacro %}
{% macro duckdb__struct_of(fields) -%}
    { {%- for name, expression in fields.items() %} '{{ name }}': {{ expression }}{% if not loop.last %},{% endif %}{% endfor %} }
{%- endmacro %}

{#- Aggregates into a list in the given order (optionally of distinct values, which are then
    their own order). The values are gathered unordered and sorted as (order key, value)
    structs afterwards: an ORDER BY inside the aggregate keeps a sort per group in memory that
    cannot spill, which on SGD needs several times the memory. Ties in the order key are broken
    by the value, so the order is the same on every run. -#}
{% macro ordered_list_agg(value, order_by, distinct=false) -%}
    {%- if distinct and order_by != value -%}
        {{ exceptions.raise_compiler_error("ordered_list_agg: distinct values are ordered by themselves; got order_by=" ~ order_by) }}
    {%- endif -%}
    {{ return(adapter.dispatch('ordered_list_agg')(value, order_by, distinct)) }}
{%- endmacro %}
{% macro duckdb__ordered_list_agg(value, order_by, distinct) -%}
    {%- if distinct -%}
        list_sort(list(distinct {{ value }}))
    {%- else -%}
        [sorted_item.value for sorted_item in list_sort(list({'sort_key': {{ order_by }}, 'value': {{ value }}}))]
    {%- endif -%}
{%- endmacro %}

{#- Joins strings with a separator in the given order (optionally distinct values, ordered by
    themselves), gathered as ordered_list_agg gathers them. -#}
{% macro ordered_string_agg(value, separator, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(value, separator, order_by, distinct)) }}
{%- endmacro %}
{% macro duckdb__ordered_string_agg(value, separator, order_by, distinct) -%}
    {#- As string_agg: null values are left out, and a group of none gives null. -#}
    array_to_string(
        {%- if distinct %}
        list_sort(list(distinct {{ value }}) filter (where {{ value }} is not null))
        {%- else %}
        [sorted_item.value for sorted_item in list_sort(
            list({'sort_key': {{ order_by }}, 'value': {{ value }}}) filter (where {{ value }} is not null)
        )]
        {%- endif %},
        {{ separator }}
    )
{%- endmacro %}

{#- Window aggregates over a named window, in the window's row order: the values as a list,
    and the strings joined by a separator. -#}
{% macro windowed_list_agg(value, window_name) -%}
    {{ return(adapter.dispatch('windowed_list_agg')(value, window_name)) }}
{%- endmacro %}
{% macro duckdb__windowed_list_agg(value, window_name) -%}
    list({{ value }}) over {{ window_name }}
{%- endmacro %}
{% macro windowed_string_agg(value, separator, window_name) -%}
    {{ return(adapter.dispatch('windowed_string_agg')(value, separator, window_name)) }}
{%- endmacro %}
{% macro duckdb__windowed_string_agg(value, separator, window_name) -%}
    string_agg({{ value }}, {{ separator }}) over {{ window_name }}
{%- endmacro %}

{#- The values of one field of every struct in a list; with present_field, only of the
    structs where that field is not null. -#}
{% macro list_field(list_expression, field, present_field=none) -%}
    {{ return(adapter.dispatch('list_field')(list_expression, field, present_field)) }}
{%- endmacro %}
{% macro duckdb__list_field(list_expression, field, present_field) -%}
    [
        list_item.{{ field }}
        for list_item in {{ list_expression }}
        {%- if present_field is not none %}
        if list_item.{{ present_field }} is not null
        {%- endif %}
    ]
{%- endmacro %}

{#- A list of {speaker, text} structs as lines `speaker: text`, joined by new lines. -#}
{% macro speaker_tagged_lines(list_expression) -%}
    {{ return(adapter.dispatch('speaker_tagged_lines')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__speaker_tagged_lines(list_expression) -%}
    array_to_string(
        [list_item.speaker || ': ' || list_item.text for list_item in {{ list_expression }}],
        chr(10)
    )
{%- endmacro %}

{#- The elements of a list other than `excluded`, each once, in first-seen order. -#}
{% macro list_distinct_in_order(list_expression, excluded) -%}
    {{ return(adapter.dispatch('list_distinct_in_order')(list_expression, excluded)) }}
{%- endmacro %}
{% macro duckdb__list_distinct_in_order(list_expression, excluded) -%}
    [
        {{ list_expression }}[position]
        for position in range(1, len({{ list_expression }}) + 1)
        if {{ list_expression }}[position] != {{ excluded }}
        and list_position({{ list_expression }}, {{ list_expression }}[position]) = position
    ]
{%- endmacro %}

{#- The elements of a list from 1-based position `first` to `last`, both included (empty
    when last < first). -#}
{% macro list_slice(list_expression, first, last) -%}
    {{ return(adapter.dispatch('list_slice')(list_expression, first, last)) }}
{%- endmacro %}
{% macro duckdb__list_slice(list_expression, first, last) -%}
    list_slice({{ list_expression }}, {{ first }}, {{ last }})
{%- endmacro %}

{#- Each struct of a list reduced to the named fields, in that order. -#}
{% macro list_struct_fields(list_expression, fields) -%}
    {{ return(adapter.dispatch('list_struct_fields')(list_expression, fields)) }}
{%- endmacro %}
{% macro duckdb__list_struct_fields(list_expression, fields) -%}
    [
        { {%- for field in fields %} '{{ field }}': list_item.{{ field }}{% if not loop.last %},{% endif %}{% endfor %} }
        for list_item in {{ list_expression }}
    ]
{%- endmacro %}

{#- A list without its null elements, in order. -#}
{% macro list_without_nulls(list_expression) -%}
    {{ return(adapter.dispatch('list_without_nulls')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__list_without_nulls(list_expression) -%}
    [list_item for list_item in {{ list_expression }} if list_item is not null]
{%- endmacro %}
