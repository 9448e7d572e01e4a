-- Every candidate (anchor, positive) pair of every dialogue, with the first filter that
-- removes it (removal_step; null when kept). Filters apply in this order: min_words,
-- max_words, speaker_transition, anchor_equals_positive (int_pair_candidates_filtered, kept
-- between builds with the staged datasets), then duplicate_in_split, across dialogues and
-- datasets, here. Built from the staged utterances alone, so it runs beside the near-duplicate
-- detection: whether a kept pair must stay out of training exports is decided in
-- utterance_pair_positions.
with

filtered as (

    select * from {{ ref('int_pair_candidates_filtered') }}

),

-- Among the pairs that pass the filters, the first of each (split, pair_type, anchor,
-- positive) in (dataset, dialogue_id, anchor_turn_index, positive_turn_index) order is kept;
-- the later copies are duplicates. The window sorts the rows without their texts (with them,
-- the model took 3.6 s on SGD on a quiet machine, without them 2.5 s).
ranked as (

    select
        *,
        filter_step is null
        and row_number() over (
            partition by
                split,
                pair_type,
                filter_step is null,
                anchor_comparison_key,
                positive_comparison_key
            order by dataset, dialogue_id, anchor_turn_index, positive_turn_index
        ) > 1 as is_later_copy
    from filtered

),

final as (

    select
        {{ utterance_pair_columns() }},
        anchor_text_key,
        positive_text_key,
        cast(anchor_word_count as integer) as anchor_n_words,
        cast(positive_n_words as integer) as positive_n_words,
        cast(context_size as integer) as context_size,
        case
            when filter_step is not null then filter_step
            when is_later_copy then 'duplicate_in_split'
        end as removal_step
    from ranked

)

select * from final
