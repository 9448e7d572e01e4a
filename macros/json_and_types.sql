{#- A string at a JSON path ('$.key') of a JSON text; null where the path is absent. -#}
{% macro json_string_at(expression, path) -%}
    {{ return(adapter.dispatch('json_string_at')(expression, path)) }}
{%- endmacro %}
{% macro duckdb__json_string_at(expression, path) -%}
    json_extract_string({{ expression }}, {{ sql_string(path) }})
{%- endmacro %}
{% macro spark__json_string_at(expression, path) -%}
    get_json_object({{ expression }}, {{ sql_string(path) }})
{%- endmacro %}

{#- The type of an instant: DuckDB's `timestamptz`; Spark's `timestamp` is an instant (shown
    in the session's time zone). -#}
{% macro timestamp_with_time_zone() -%}
    {{ return(adapter.dispatch('timestamp_with_time_zone')()) }}
{%- endmacro %}
{% macro duckdb__timestamp_with_time_zone() -%}
    timestamptz
{%- endmacro %}
{% macro spark__timestamp_with_time_zone() -%}
    timestamp
{%- endmacro %}
