{#- Staging kept between builds. The unions of the staged datasets (int_*_unioned) are
    incremental tables in the `staged` database, a file beside the warehouse that outlives
    the build (warehouse/staging_cache.py keeps its books). A build restages only the datasets
    whose raw data changed: the pipeline names them in DW_RESTAGE_DATASETS, read only while
    the models run, so dbt's saved parse stays valid (unset or `*`: every dataset). Their old
    rows are deleted first; the other datasets' rows stay as they are. A full refresh (the
    first build, or a changed project) stages every dataset. -#}

{#- The datasets of the list this build stages. -#}
{% macro restaged_datasets(datasets) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(datasets) }}
    {%- endif -%}
    {%- set named = env_var('DW_RESTAGE_DATASETS', '*') -%}
    {%- if named == '*' -%}
        {{ return(datasets) }}
    {%- endif -%}
    {%- set names = named.split(',') -%}
    {%- set restaged = [] -%}
    {%- for dataset in datasets if dataset in names -%}
        {%- do restaged.append(dataset) -%}
    {%- endfor -%}
    {{ return(restaged) }}
{%- endmacro %}

{#- A union's pre-hook: on an incremental build, delete the rows of the datasets it restages. -#}
{% macro delete_restaged_rows(datasets) -%}
    {%- if is_incremental() -%}
        {%- set restaged = restaged_datasets(datasets) -%}
        {%- if restaged -%}
            delete from {{ this }} where dataset in (
                {%- for dataset in restaged %}{{ sql_string(dataset) }}{% if not loop.last %}, {% endif %}{% endfor -%}
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- `select * from <cte of each restaged dataset> union all ...`; with none, no rows of the
    first dataset's shape. -#}
{% macro union_of_restaged(datasets, cte_suffix) -%}
    {%- set restaged = restaged_datasets(datasets) -%}
    {%- if not restaged %}
        select * from {{ datasets[0] }}_{{ cte_suffix }} where false
    {%- endif %}
    {%- for dataset in restaged %}
        select * from {{ dataset }}_{{ cte_suffix }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
