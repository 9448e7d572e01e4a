-- With decontamination_match near_duplicate (the default), no training turn, and no training
-- pair spanning an utterance (anchor_turn_index to positive_turn_index), has a normal form
-- equal or near (Jaccard >= decontamination_threshold) to that of a downstream validation/test
-- example (int_near_duplicate_evaluation_texts). The utterances' normal-form keys were computed
-- when they were staged (int_utterances_unioned.near_duplicate_key). With exact, near-duplicates
-- may stay: the test finds nothing.
{%- set settings = near_duplicate_vars() %}
{%- set near_duplicates = 'true' if settings.decontamination_match == 'near_duplicate' else 'false' %}
with

near_evaluation_texts as (

    select * from {{ ref('int_near_duplicate_evaluation_texts') }}

),

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

near_evaluation_utterances as (

    select
        utterances.dialogue_id,
        utterances.turn_index
    from utterances
    inner join near_evaluation_texts
        on utterances.near_duplicate_key = near_evaluation_texts.text_key
    where {{ near_duplicates }} and utterances.rejection_reason is null

),

offending_turns as (

    select
        'turn' as record_kind,
        training_turns.turn_id as record_id
    from {{ ref('training_turns') }} as training_turns
    inner join near_evaluation_utterances
        on
            training_turns.dialogue_id = near_evaluation_utterances.dialogue_id
            and training_turns.turn_index = near_evaluation_utterances.turn_index

),

offending_pairs as (

    select distinct
        'pair' as record_kind,
        training_pairs.pair_id as record_id
    from {{ ref('training_pairs') }} as training_pairs
    inner join near_evaluation_utterances
        on
            training_pairs.dialogue_id = near_evaluation_utterances.dialogue_id
            and near_evaluation_utterances.turn_index
            between training_pairs.anchor_turn_index and training_pairs.positive_turn_index

)

select * from offending_turns
union all
select * from offending_pairs
