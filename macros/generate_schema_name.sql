{#- Use the folder's schema name as it is (staging, intermediate, reference); marts go to the
    target schema (main), so users query `turns`, not `main_marts.turns`. On Spark, whose
    schemas share one metastore with everything else there, a folder's schema is prefixed by
    the target's (`dialogue_warehouse_intermediate`). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif target.type == 'spark' -%}{{ target.schema }}_{{ custom_schema_name | trim }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{#- DuckDB keeps the intermediates in attached databases (`work`, `staged`: profiles.yml);
    Spark has no databases above its schemas, so there every model goes to the target's. -#}
{% macro generate_database_name(custom_database_name, node) -%}
    {%- if target.type == 'spark' -%}
        {{ return(none) }}
    {%- elif custom_database_name is none -%}
        {{ return(target.database) }}
    {%- endif -%}
    {{ return(custom_database_name | trim) }}
{%- endmacro %}
