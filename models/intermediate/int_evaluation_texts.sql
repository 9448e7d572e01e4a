-- The texts of every downstream validation and test example, in comparison form: no
-- pre-training utterance equal to one of them may reach a training export.
with

intent_examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

evaluation_texts as (

    select distinct {{ comparison_text('text') }} as comparison_text
    from intent_examples
    where rejection_reason is null and split in ('validation', 'test')

)

select * from evaluation_texts
