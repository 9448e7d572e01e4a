-- The rows of utterance_pairs without their texts and ids: each kept pair as positions in its
-- dialogue, and the reason it must stay out of training exports (training_exclusion; null: it
-- may go in): it is in a test split, or an utterance it spans (anchor_turn_index to
-- positive_turn_index) equals a downstream evaluation text, or is near one
-- (int_utterances_screened: equals_evaluation_text, near_evaluation_text). The texts are
-- already stored once, in dialogue_turn_lists.turns, and pair_id is a function of the
-- positions; the utterance_pairs view derives both instead of storing copies.
with

candidates as (

    select * from {{ ref('int_pair_candidates') }}

),

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

kept as (

    select
        {{ utterance_pair_columns() }},
        anchor_n_words,
        positive_n_words,
        context_size
    from candidates
    where removal_step is null

),

-- The few utterances kept out of training for their text, not their split.
excluded_utterances as (

    select
        dialogue_id,
        turn_index,
        training_exclusion
    from utterances
    where training_exclusion in ('equals_evaluation_text', 'near_evaluation_text')

),

-- The kept pairs that span one, with what they span. The pairs are read by name, not through
-- `kept`: DuckDB holds a CTE read twice in memory.
spanning_pairs as (

    select
        pairs.pair_type,
        pairs.dialogue_id,
        pairs.anchor_turn_index,
        pairs.positive_turn_index,
        bool_or(excluded_utterances.training_exclusion = 'equals_evaluation_text')
            as spans_evaluation_text,
        bool_or(excluded_utterances.training_exclusion = 'near_evaluation_text')
            as spans_near_evaluation_text
    from {{ ref('int_pair_candidates') }} as pairs
    inner join excluded_utterances
        on
            pairs.dialogue_id = excluded_utterances.dialogue_id
            and excluded_utterances.turn_index
            between pairs.anchor_turn_index and pairs.positive_turn_index
    where pairs.removal_step is null
    group by pairs.pair_type, pairs.dialogue_id, pairs.anchor_turn_index, pairs.positive_turn_index

),

flagged as (

    select
        kept.*,
        case
            when kept.split = 'test' then 'test_split'
            when spanning_pairs.spans_evaluation_text then 'spans_evaluation_text'
            when spanning_pairs.spans_near_evaluation_text then 'spans_near_evaluation_text'
        end as training_exclusion
    from kept
    left join spanning_pairs
        on
            kept.pair_type = spanning_pairs.pair_type
            and kept.dialogue_id = spanning_pairs.dialogue_id
            and kept.anchor_turn_index = spanning_pairs.anchor_turn_index
            and kept.positive_turn_index = spanning_pairs.positive_turn_index

)

select * from flagged
-- Stored in dialogue order: a dialogue's pairs side by side compress to a third less.
order by dialogue_id, anchor_turn_index, positive_turn_index, pair_type
