{#- Engine-specific list and struct SQL lives here, behind adapter.dispatch, so models stay
    portable: each macro has a `duckdb__` and a `spark__` implementation, and
    tests/test_spark_macros.py runs both on the same input against a hand-computed result.
    Positions given to and taken from these macros are 1-based where noted (Spark's
    `l[i]` is 0-based: never index a list outside these macros).
    The spark__ versions use functions Spark has had since 3.3 (array_size, try_element_at)
    and lambdas (transform, filter) rather than `l[i]`, so they hold on a cluster of an older
    Spark too; they do not depend on ANSI mode, under which Spark 4 raises where DuckDB
    returns null (element_at past the end). -#}

{#- One output row per list element, with its 0-based position. -#}
{% macro unnest_with_position(list_expression, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_with_position')(list_expression, value_alias, position_alias)) }}
{%- endmacro %}
{% macro duckdb__unnest_with_position(list_expression, value_alias, position_alias) -%}
    {#- DuckDB zips two set-returning functions in one select list. -#}
    unnest({{ list_expression }}) as {{ value_alias }},
    generate_subscripts({{ list_expression }}, 1) - 1 as {{ position_alias }}
{%- endmacro %}
{% macro spark__unnest_with_position(list_expression, value_alias, position_alias) -%}
    {#- posexplode's position is 0-based, as here; it yields the position column first, so
        callers select these columns by name. One generator per select on Spark. -#}
    posexplode({{ list_expression }}) as ({{ position_alias }}, {{ value_alias }})
{%- endmacro %}

{#- One output row per list element (no position). -#}
{% macro unnest_list(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__unnest_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}
{% macro spark__unnest_list(list_expression) -%}
    explode({{ list_expression }})
{%- endmacro %}

{#- The number of elements of a list. -#}
{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__list_length(list_expression) -%}
    len({{ list_expression }})
{%- endmacro %}
{% macro spark__list_length(list_expression) -%}
    {#- Not size(): without ANSI mode it gives -1 for a null list; array_size gives null. -#}
    array_size({{ list_expression }})
{%- endmacro %}

{#- The element at a 1-based position (the last one: list_length of the list). -#}
{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element')(list_expression, position)) }}
{%- endmacro %}
{% macro duckdb__list_element(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}
{% macro spark__list_element(list_expression, position) -%}
    {#- Spark's l[i] is 0-based; element_at is 1-based as DuckDB's l[i], but raises past the
        end (ANSI) and at 0, where DuckDB gives null: try_element_at, and 0 made null. -#}
    try_element_at({{ list_expression }}, nullif({{ position }}, 0))
{%- endmacro %}

{#- A list literal of the given SQL expressions. -#}
{% macro list_of(expressions) -%}
    {{ return(adapter.dispatch('list_of')(expressions)) }}
{%- endmacro %}
{% macro duckdb__list_of(expressions) -%}
    [{{ expressions | join(', ') }}]
{%- endmacro %}
{% macro spark__list_of(expressions) -%}
    array({{ expressions | join(', ') }})
{%- endmacro %}

{#- The SQL type of a list of strings, and an empty one. -#}
{% macro string_list_type() -%}
    {{ return(adapter.dispatch('string_list_type')()) }}
{%- endmacro %}
{% macro duckdb__string_list_type() -%}
    varchar[]
{%- endmacro %}
{% macro spark__string_list_type() -%}
    array<string>
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
{% macro spark__struct_of(fields) -%}
    named_struct({%- for name, expression in fields.items() %}'{{ name }}', {{ expression }}{% if not loop.last %}, {% endif %}{% endfor %})
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
{#- Spark's collect_list and collect_set drop nulls, which DuckDB's list keeps, and its sorts
    put nulls first, where DuckDB's list_sort puts them last: each value (and order key) goes
    into the sorted struct with a flag that is true for null, so nulls are kept and sort last
    as on DuckDB. (Nulls inside a struct value sort first on Spark; ties in the order key
    between such values are the only case left that may order differently.) -#}
{% macro spark__ordered_list_agg(value, order_by, distinct) -%}
    {%- if distinct -%}
        transform(
            array_sort(collect_set(named_struct('value_is_null', {{ value }} is null, 'value', {{ value }}))),
            sorted_item -> sorted_item.value
        )
    {%- else -%}
        transform(
            array_sort(collect_list(named_struct(
                'sort_key_is_null', {{ order_by }} is null,
                'sort_key', {{ order_by }},
                'value_is_null', {{ value }} is null,
                'value', {{ value }}
            ))),
            sorted_item -> sorted_item.value
        )
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
{% macro spark__ordered_string_agg(value, separator, order_by, distinct) -%}
    {#- array_join of no values gives '', where string_agg gives null: null when none. -#}
    case when count({{ value }}) > 0 then array_join(
        {%- if distinct %}
        array_sort(collect_set({{ value }}))
        {%- else %}
        transform(
            array_sort(collect_list(named_struct(
                'sort_key_is_null', {{ order_by }} is null,
                'sort_key', {{ order_by }},
                'value', {{ value }}
            )) filter (where {{ value }} is not null)),
            sorted_item -> sorted_item.value
        )
        {%- endif %},
        {{ separator }}
    ) end
{%- endmacro %}

{#- Window aggregates over a named window, in the window's row order: the values as a list,
    and the strings joined by a separator. -#}
{% macro windowed_list_agg(value, window_name) -%}
    {{ return(adapter.dispatch('windowed_list_agg')(value, window_name)) }}
{%- endmacro %}
{% macro duckdb__windowed_list_agg(value, window_name) -%}
    list({{ value }}) over {{ window_name }}
{%- endmacro %}
{% macro spark__windowed_list_agg(value, window_name) -%}
    {#- collect_list drops nulls, DuckDB's list keeps them: collected as structs. -#}
    transform(collect_list(named_struct('value', {{ value }})) over {{ window_name }}, list_item -> list_item.value)
{%- endmacro %}
{% macro windowed_string_agg(value, separator, window_name) -%}
    {{ return(adapter.dispatch('windowed_string_agg')(value, separator, window_name)) }}
{%- endmacro %}
{% macro duckdb__windowed_string_agg(value, separator, window_name) -%}
    string_agg({{ value }}, {{ separator }}) over {{ window_name }}
{%- endmacro %}
{% macro spark__windowed_string_agg(value, separator, window_name) -%}
    case when count({{ value }}) over {{ window_name }} > 0
        then array_join(collect_list({{ value }}) over {{ window_name }}, {{ separator }})
    end
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
{% macro spark__list_field(list_expression, field, present_field) -%}
    transform(
        {%- if present_field is not none %}
        filter({{ list_expression }}, list_item -> list_item.{{ present_field }} is not null),
        {%- else %}
        {{ list_expression }},
        {%- endif %}
        list_item -> list_item.{{ field }}
    )
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
{% macro spark__speaker_tagged_lines(list_expression) -%}
    array_join(
        transform({{ list_expression }}, list_item -> list_item.speaker || ': ' || list_item.text),
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
{% macro spark__list_distinct_in_order(list_expression, excluded) -%}
    {#- array_distinct keeps each element's first occurrence, in order. -#}
    filter(array_distinct({{ list_expression }}), list_item -> list_item != {{ excluded }})
{%- endmacro %}

{#- The elements of a list from 1-based position `first` to `last`, both included (empty
    when last < first). -#}
{% macro list_slice(list_expression, first, last) -%}
    {{ return(adapter.dispatch('list_slice')(list_expression, first, last)) }}
{%- endmacro %}
{% macro duckdb__list_slice(list_expression, first, last) -%}
    list_slice({{ list_expression }}, {{ first }}, {{ last }})
{%- endmacro %}
{% macro spark__list_slice(list_expression, first, last) -%}
    {#- Spark's slice takes a start and a length, which must not be negative. -#}
    slice({{ list_expression }}, {{ first }}, greatest({{ last }} - ({{ first }}) + 1, 0))
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
{% macro spark__list_struct_fields(list_expression, fields) -%}
    transform(
        {{ list_expression }},
        list_item -> named_struct({%- for field in fields %}'{{ field }}', list_item.{{ field }}{% if not loop.last %}, {% endif %}{% endfor %})
    )
{%- endmacro %}

{#- A list without its null elements, in order. -#}
{% macro list_without_nulls(list_expression) -%}
    {{ return(adapter.dispatch('list_without_nulls')(list_expression)) }}
{%- endmacro %}
{% macro duckdb__list_without_nulls(list_expression) -%}
    [list_item for list_item in {{ list_expression }} if list_item is not null]
{%- endmacro %}
{% macro spark__list_without_nulls(list_expression) -%}
    filter({{ list_expression }}, list_item -> list_item is not null)
{%- endmacro %}
