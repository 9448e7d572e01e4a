{#- A relation with the given columns added as nulls where it lacks them (columns: a dict of
    name to SQL type). For files read by column name across versions of their writer: a raw
    store written by an older ingest has manifests without the columns added since. -#}
{% macro with_columns_if_missing(relation, columns) -%}
    {{ return(adapter.dispatch('with_columns_if_missing')(relation, columns)) }}
{%- endmacro %}
{% macro duckdb__with_columns_if_missing(relation, columns) -%}
    select * from {{ relation }}
    union all by name
    select
        {%- for name, data_type in columns.items() %}
        cast(null as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    where false
{%- endmacro %}
{#- Spark reads a source's Parquet files with mergeSchema (register_spark_sources): a column
    that some files lack reads as null in them, so the relation already has every column the
    current ingest writes. -#}
{% macro spark__with_columns_if_missing(relation, columns) -%}
    select * from {{ relation }}
{%- endmacro %}

{#- How a CTE computed once is declared: `name {{ computed_once() }} (select ...)`. DuckDB
    otherwise copies a CTE's expressions into any filter it pushes below the CTE, so an
    expensive column that is also filtered on (a normal form, `where normal_form != ''`) is
    computed twice, once for the filter and once for the output: `as materialized` computes
    it once. Spark has no such keyword and takes the plain `as`. -#}
{% macro computed_once() -%}
    {{ return(adapter.dispatch('computed_once')()) }}
{%- endmacro %}
{% macro duckdb__computed_once() -%}
    as materialized
{%- endmacro %}
{% macro spark__computed_once() -%}
    as
{%- endmacro %}
