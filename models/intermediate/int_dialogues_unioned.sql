-- Every dialogue dataset's staged dialogues in one relation (grain: one upstream dialogue).
with

{% for dataset in var('dialogue_datasets') %}
    {{ dataset }}_dialogues as (

        select * from {{ ref('stg_' ~ dataset ~ '__dialogues') }}

    ),

{% endfor %}
unioned as (

    {{ union_of_restaged(var('dialogue_datasets'), 'dialogues') }}

)

select * from unioned
