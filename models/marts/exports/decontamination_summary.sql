-- Per dataset and split: what decontamination keeps out of the training exports, and why,
-- with the decontamination vars of the build.
{%- set settings = near_duplicate_vars() %}
with

turns as (

    select * from {{ ref('turns') }}

),

pairs as (

    select * from {{ ref('utterance_pair_positions') }}

),

turn_counts as (

    select
        dataset,
        split,
        count(*) as n_turns,
        count(*) filter (where training_exclusion = 'test_split') as n_turns_test_split,
        count(*) filter (where training_exclusion = 'equals_evaluation_text')
            as n_turns_equal_to_evaluation_text,
        count(*) filter (where training_exclusion = 'near_evaluation_text')
            as n_turns_near_evaluation_text
    from turns
    group by dataset, split

),

pair_counts as (

    select
        dataset,
        split,
        count(*) as n_pairs,
        count(*) filter (where training_exclusion is null) as n_training_pairs,
        count(*) filter (where training_exclusion = 'spans_near_evaluation_text')
            as n_pairs_near_evaluation_text
    from pairs
    group by dataset, split

),

final as (

    select
        turn_counts.dataset,
        turn_counts.split,
        turn_counts.n_turns,
        turn_counts.n_turns_test_split,
        turn_counts.n_turns_equal_to_evaluation_text,
        turn_counts.n_turns_near_evaluation_text,
        turn_counts.n_turns
        - turn_counts.n_turns_test_split
        - turn_counts.n_turns_equal_to_evaluation_text
        - turn_counts.n_turns_near_evaluation_text as n_training_turns,
        coalesce(pair_counts.n_pairs, 0) as n_pairs,
        coalesce(pair_counts.n_pairs, 0) - coalesce(pair_counts.n_training_pairs, 0)
            as n_pairs_removed,
        coalesce(pair_counts.n_pairs_near_evaluation_text, 0) as n_pairs_near_evaluation_text,
        coalesce(pair_counts.n_training_pairs, 0) as n_training_pairs,
        '{{ settings.decontamination_match }}' as decontamination_match,
        {{ settings.decontamination_threshold }} as decontamination_threshold
    from turn_counts
    left join pair_counts
        on turn_counts.dataset = pair_counts.dataset and turn_counts.split = pair_counts.split

)

select * from final
