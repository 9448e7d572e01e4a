-- The label lists that upstream publishes (label order, scenario of a label), unioned
-- (grain: one label of one dataset).
with

{% for dataset in var('intent_label_catalogues') %}
    {{ dataset }}_labels as (

        select * from {{ ref('stg_' ~ dataset ~ '__labels') }}

    ),

{% endfor %}
unioned as (

    {{ union_of_restaged(var('intent_label_catalogues'), 'labels') }}

)

select * from unioned
