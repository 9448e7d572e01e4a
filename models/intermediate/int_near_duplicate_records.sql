-- One row per record holding a text the near-duplicate detector compares: every kept
-- pre-training utterance (record_kind utterance, record_id its turn_id) and every kept intent
-- example (intent_example, its example_id), with its provenance, its text, its normal form,
-- the key of that form, and the key of its comparison text (lower-cased, for exact matches).
-- Pairs are made of utterances, so their texts are compared through the utterances they span.
-- A record whose normal form is empty (no letter or digit, e.g. "...") is left out: no text
-- can be near it.
with

utterances as (

    select * from {{ ref('int_utterances_unioned') }}

),

intent_examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

-- The utterances' normal forms and keys were computed when they were staged
-- (int_utterances_unioned).
utterance_records as (

    select
        'utterance' as record_kind,
        dialogue_id || ':' || cast(source_turn_index as string) as record_id,
        dataset,
        split,
        locale,
        text,
        near_duplicate_normal_form as normal_form,
        near_duplicate_key as text_key,
        comparison_key
    from utterances
    where near_duplicate_key is not null

),

intent_example_records {{ computed_once() }} (

    select
        'intent_example' as record_kind,
        example_id as record_id,
        dataset,
        split,
        locale,
        text,
        {{ near_duplicate_normal_form('text') }} as normal_form,
        {{ text_key(comparison_text('text')) }} as comparison_key
    from intent_examples
    where rejection_reason is null

),

final as (

    select * from utterance_records
    union all
    select
        record_kind,
        record_id,
        dataset,
        split,
        locale,
        text,
        normal_form,
        {{ text_key('normal_form') }} as text_key,
        comparison_key
    from intent_example_records
    where normal_form != ''

)

select * from final
