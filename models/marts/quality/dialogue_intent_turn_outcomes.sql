-- What became of every upstream user turn of the intent-annotated dialogue datasets, per
-- dataset and split: nothing is dropped from dialogue_intent_examples without a count here.
with

user_turns as (

    select * from {{ ref('int_user_turn_intents') }}

),

examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

outcomes as (

    select
        dataset,
        split,
        count(*) as n_user_turns,
        count(*) filter (where outcome = 'single_intent') as n_single_intent,
        count(*) filter (where outcome = 'several_intents') as n_several_intents,
        count(*) filter (where outcome = 'no_active_intent') as n_no_active_intent,
        count(*) filter (where outcome = 'utterance_rejected') as n_utterance_rejected,
        sum(case when outcome in ('single_intent', 'several_intents') then {{ list_length('intents') }} else 0 end)
            as n_expected_examples
    from user_turns
    group by dataset, split

),

example_counts as (

    select
        dataset,
        split,
        count(*) as n_examples,
        count(distinct label) as n_labels
    from examples
    group by dataset, split

),

final as (

    select
        outcomes.dataset,
        outcomes.split,
        outcomes.n_user_turns,
        outcomes.n_single_intent,
        outcomes.n_several_intents,
        outcomes.n_no_active_intent,
        outcomes.n_utterance_rejected,
        cast(outcomes.n_expected_examples as bigint) as n_expected_examples,
        coalesce(example_counts.n_examples, 0) as n_examples,
        coalesce(example_counts.n_labels, 0) as n_labels
    from outcomes
    left join example_counts
        on
            outcomes.dataset = example_counts.dataset
            and outcomes.split = example_counts.split

)

select * from final
