{#- Staging kept between builds. The unions of the staged datasets (int_*_unioned), and the
    pairs of their dialogues (int_pair_candidates_filtered), are
    incremental tables in the `staged` database, a file beside the warehouse that outlives
    the build (warehouse/staging_cache.py keeps its books). A build restages only the datasets
    whose raw data changed: the pipeline names them in DW_RESTAGE_DATASETS, read only while
    the models run, so dbt's saved parse stays valid (unset or `*`: every dataset). Their old
    rows are deleted first; the other datasets' rows stay as they are. A full refresh (the
    first build, or a changed project) stages every dataset. -#}

{#- The datasets of the list this build stages (a unit test, which has no `this`: all). -#}
{% macro restaged_datasets(datasets) -%}
    {%- if not execute or this is none or not is_incremental() -%}
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

{#- A condition true on the rows (`column` naming their dataset) of the datasets of the list
    this build stages: true when it stages them all, false when it stages none of them. -#}
{% macro is_restaged(column, datasets) -%}
    {%- set restaged = restaged_datasets(datasets) -%}
    {%- if restaged == datasets -%}
        true
    {%- elif restaged -%}
        {{ column }} in (
            {%- for dataset in restaged %}{{ sql_string(dataset) }}{% if not loop.last %}, {% endif %}{% endfor -%}
        )
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#- A kept model's pre-hook: on an incremental build, delete the rows of the datasets it
    restages. -#}
{% macro delete_restaged_rows(datasets) -%}
    {%- if is_incremental() and restaged_datasets(datasets) -%}
        delete from {{ this }} where {{ is_restaged('dataset', datasets) }}
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
