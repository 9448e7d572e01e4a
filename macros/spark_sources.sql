{#- Sources on Apache Spark (README, "Outgrowing one machine").

    On DuckDB a source is read where it lies: dbt-duckdb reads the `external_location` in its
    meta (a glob of Parquet files). Spark has no such sources: before the models run
    (on-run-start), every source the project declares becomes a global temporary view over
    the same files, named `<source>__<table>` in Spark's `global_temp` schema, and
    `source()` resolves to it. Global temporary views live as long as the Spark application
    and are seen by each of its sessions (a Thrift server's connections too); they write
    nothing to the metastore and never touch the files. The path comes from the same
    `external_location`: a folder read recursively where DuckDB's glob is
    `<folder>/**/*.parquet`, else the glob itself (Spark globs `*` as DuckDB does); a
    source without an external_location (`build`) is skipped. Files
    are read with mergeSchema: a column some files lack reads as null there. -#}

{% macro spark_source_view_name(source_name, table_name) -%}
    {{ return(source_name ~ '__' ~ table_name) }}
{%- endmacro %}

{#- The path Spark reads for a source's external_location. -#}
{% macro spark_source_path(external_location) -%}
    {%- set location = external_location | trim -%}
    {%- if location.startswith("read_parquet('") -%}
        {%- set location = location[14:].split("'")[0] -%}
    {%- endif -%}
    {%- if location.endswith('/**/*.parquet') -%}
        {%- set location = location[:-13] -%}
    {%- endif -%}
    {{ return(location) }}
{%- endmacro %}

{% macro register_spark_sources() -%}
    {{ return(adapter.dispatch('register_spark_sources')()) }}
{%- endmacro %}

{% macro default__register_spark_sources() -%}
{%- endmacro %}

{% macro spark__register_spark_sources() -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- set location = node.meta.get('external_location') or node.source_meta.get('external_location') -%}
            {#- Sources without files (`build`: written into the warehouse after dbt) have none. -#}
            {%- if location is not none -%}
            {%- set path = spark_source_path(location) -%}
            {%- set recursive = 'false' if '*' in path else 'true' -%}
            {%- call statement('register_' ~ node.source_name ~ '__' ~ node.name) -%}
                create or replace global temporary view {{ spark_source_view_name(node.source_name, node.name) }}
                using parquet
                options (
                    path {{ sql_string(path) }},
                    recursiveFileLookup '{{ recursive }}',
                    mergeSchema 'true'
                )
            {%- endcall -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- source() on Spark resolves to the source's global temporary view; elsewhere it is dbt's
    own. builtins.source is called either way, so the lineage is the same on every engine. -#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- if target.type == 'spark' -%}
        {%- set relation = api.Relation.create(
            schema='global_temp',
            identifier=spark_source_view_name(source_name, table_name),
            type='view',
        ) -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
