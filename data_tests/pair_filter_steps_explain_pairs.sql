-- The last step's n_remaining of every dataset, split and pair type equals the pairs kept.
with

last_steps as (

    select
        dataset,
        split,
        pair_type,
        n_remaining
    from {{ ref('pair_filter_steps') }}
    where step = 'duplicate_in_split'

),

kept as (

    select
        dataset,
        split,
        pair_type,
        count(*) as n_pairs
    from {{ ref('utterance_pair_positions') }}
    group by dataset, split, pair_type

)

select
    last_steps.*,
    coalesce(kept.n_pairs, 0) as n_pairs
from last_steps
left join kept
    on
        last_steps.dataset = kept.dataset
        and last_steps.split = kept.split
        and last_steps.pair_type = kept.pair_type
where last_steps.n_remaining != coalesce(kept.n_pairs, 0)
