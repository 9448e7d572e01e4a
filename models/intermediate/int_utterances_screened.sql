-- Each upstream utterance with the reason it cannot reach the marts (null: it is kept), its
-- 0-based position among the kept utterances of its dialogue, its lengths, and the reason a
-- kept utterance must stay out of training exports (null: it may go in): its dialogue is in
-- a test split, its text equals a downstream validation/test example (lower-cased), or, with
-- decontamination_match near_duplicate (the default), its normal form equals or is near one
-- (int_near_duplicate_evaluation_texts).
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

screened as (

    select
        *,
        case
            when text = '' then 'empty_utterance'
        end as rejection_reason
    from utterances

),

-- The position of each kept utterance among its dialogue's kept ones, numbered over the keys
-- alone and joined back: a window over the whole rows would sort their texts too.
kept_positions as (

    select
        dialogue_id,
        source_turn_index,
        row_number() over (partition by dialogue_id order by source_turn_index) - 1 as turn_index
    from screened
    where rejection_reason is null

),

numbered as (

    select
        screened.*,
        kept_positions.turn_index,
        length(screened.text) as n_chars,
        {{ count_words('screened.text') }} as n_words
    from screened
    left join kept_positions
        on
            screened.dialogue_id = kept_positions.dialogue_id
            and screened.source_turn_index = kept_positions.source_turn_index

),

flagged_for_training as (

    select
        numbered.*,
        case
            when numbered.rejection_reason is not null then null
            when numbered.split = 'test' then 'test_split'
            when evaluation_texts.comparison_text is not null then 'equals_evaluation_text'
            when near_evaluation_texts.text_key is not null then 'near_evaluation_text'
        end as training_exclusion
    from numbered
    left join evaluation_texts
        on {{ comparison_text('numbered.text') }} = evaluation_texts.comparison_text
    -- With decontamination_match exact the condition is false from the start: no row matches
    -- and no normal form is computed.
    left join near_evaluation_texts
        on
            {{ near_duplicates }}
            and numbered.rejection_reason is null
            and {{ text_key(near_duplicate_normal_form('numbered.text')) }} = near_evaluation_texts.text_key

)

select * from flagged_for_training
