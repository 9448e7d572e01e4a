-- The rows of utterance_pairs without their texts and ids: each kept pair as positions in its
-- dialogue. The texts are already stored once, in dialogue_turn_lists.turns, and pair_id is a
-- function of the positions; the utterance_pairs view derives both instead of storing copies.
with

candidates as (

    select * from {{ ref('int_pair_candidates') }}

),

kept as (

    select
        {{ utterance_pair_columns() }},
        anchor_n_words,
        positive_n_words,
        context_size,
        training_exclusion
    from candidates
    where removal_step is null

)

select * from kept
-- Stored in dialogue order: a dialogue's pairs side by side compress to a third less.
order by dialogue_id, anchor_turn_index, positive_turn_index, pair_type
