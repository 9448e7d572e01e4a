-- Every intent dataset's staged examples in one relation (grain: one upstream example).
with

{% for dataset in var('intent_datasets') %}
    {{ dataset }}_examples as (

        select * from {{ ref('stg_' ~ dataset ~ '__examples') }}

    ),

{% endfor %}
unioned as (

    {{ union_of_restaged(var('intent_datasets'), 'examples') }}

)

select * from unioned
