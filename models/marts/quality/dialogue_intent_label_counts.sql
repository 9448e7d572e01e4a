with

examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

counted as (

    select
        dataset,
        split,
        label,
        count(*) as n_examples,
        count(*) filter (where n_turn_intents > 1) as n_from_several_intent_turns
    from examples
    group by dataset, split, label

)

select * from counted
