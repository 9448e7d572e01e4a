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
        anchor_text,
        positive_text,
        anchor_n_words,
        positive_n_words,
        context_size,
        training_exclusion
    from candidates
    where removal_step is null

)

select * from kept
