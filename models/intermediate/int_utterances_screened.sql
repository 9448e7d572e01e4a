-- Each upstream utterance (int_utterances_unioned: with the reason it cannot reach the marts,
-- its position among the kept utterances of its dialogue, its lengths and match keys) with the
-- reason a kept utterance must stay out of training exports (null: it may go in): its dialogue
-- is in a test split, its text equals a downstream validation/test example (lower-cased), or,
-- with decontamination_match near_duplicate (the default), its normal form equals or is near
-- one (int_near_duplicate_evaluation_texts).
{%- set settings = near_duplicate_vars() %}
{%- set near_duplicates = 'true' if settings.decontamination_match == 'near_duplicate' else 'false' %}
with

utterances as (

    select * from {{ ref('int_utterances_unioned') }}

),

evaluation_texts as (

    select * from {{ ref('int_evaluation_texts') }}

),

near_evaluation_texts as (

    select * from {{ ref('int_near_duplicate_evaluation_texts') }}

),

flagged_for_training as (

    select
        utterances.*,
        case
            when utterances.rejection_reason is not null then null
            when utterances.split = 'test' then 'test_split'
            when evaluation_texts.comparison_text is not null then 'equals_evaluation_text'
            when near_evaluation_texts.text_key is not null then 'near_evaluation_text'
        end as training_exclusion
    from utterances
    left join evaluation_texts
        on {{ comparison_text('utterances.text') }} = evaluation_texts.comparison_text
    -- With decontamination_match exact the condition is false from the start: no row matches.
    left join near_evaluation_texts
        on
            {{ near_duplicates }}
            and utterances.rejection_reason is null
            and utterances.near_duplicate_key = near_evaluation_texts.text_key

)

select * from flagged_for_training
