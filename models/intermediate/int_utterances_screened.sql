-- Each upstream utterance with the reason it cannot reach the marts (null: it is kept), its
-- 0-based position among the kept utterances of its dialogue, its lengths, and the reason a
-- kept utterance must stay out of training exports (null: it may go in): its dialogue is in
-- a test split, or its text equals a downstream validation/test example.
with

utterances as (

    select * from {{ ref('int_utterances_unioned') }}

),

evaluation_texts as (

    select * from {{ ref('int_evaluation_texts') }}

),

screened as (

    select
        *,
        case
            when text = '' then 'empty_utterance'
        end as rejection_reason
    from utterances

),

numbered as (

    select
        *,
        case
            when rejection_reason is null
                then row_number() over (
                    partition by dialogue_id, rejection_reason is null
                    order by source_turn_index
                ) - 1
        end as turn_index,
        length(text) as n_chars,
        {{ count_words('text') }} as n_words
    from screened

),

flagged_for_training as (

    select
        numbered.*,
        case
            when numbered.rejection_reason is not null then null
            when numbered.split = 'test' then 'test_split'
            when evaluation_texts.comparison_text is not null then 'equals_evaluation_text'
        end as training_exclusion
    from numbered
    left join evaluation_texts
        on {{ comparison_text('numbered.text') }} = evaluation_texts.comparison_text

)

select * from flagged_for_training
