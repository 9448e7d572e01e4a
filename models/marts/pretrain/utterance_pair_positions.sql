-- The rows of utterance_pairs without their texts: each kept pair as positions in its
-- dialogue. The texts are already stored once, in dialogue_turn_lists.turns; the utterance_pairs view
-- takes them from there instead of storing copies per pair.
with

candidates as (

    select * from {{ ref('int_pair_candidates') }}

),

kept as (

    select
        pair_id,
        pair_type,
        dataset,
        split,
        split_source,
        locale,
        language,
        dialogue_id,
        anchor_turn_index,
        positive_turn_index,
        anchor_speaker,
        positive_speaker,
        anchor_n_words,
        positive_n_words,
        context_size,
        training_exclusion
    from candidates
    where removal_step is null

)

select * from kept
