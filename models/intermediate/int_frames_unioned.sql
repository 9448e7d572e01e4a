-- The frames of every dialogue dataset with intent annotation, with their dialogue's id
-- (grain: one frame of one upstream turn).
with

dialogues as (

    select * from {{ ref('int_dialogues_unioned') }}

),

{% for dataset in var('dialogue_intent_datasets') %}
    {{ dataset }}_frames as (

        select * from {{ ref('stg_' ~ dataset ~ '__frames') }}

    ),

{% endfor %}
frames as (

    {{ union_of_restaged(var('dialogue_intent_datasets'), 'frames') }}

),

joined as (

    select
        dialogues.dialogue_id,
        frames.*
    from frames
    inner join dialogues
        on
            frames.dataset = dialogues.dataset
            and frames.source_path = dialogues.source_path
            and frames.record_index = dialogues.record_index

)

select * from joined
