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

records as (

    select
        'utterance' as record_kind,
        dialogue_id || ':' || cast(source_turn_index as string) as record_id,
        dataset,
        split,
        locale,
        text
    from utterances
    union all
    select
        'intent_example' as record_kind,
        example_id as record_id,
        dataset,
        split,
        locale,
        text
    from intent_examples
    where rejection_reason is null

),

normalised {{ computed_once() }} (

    select
        *,
        {{ near_duplicate_normal_form('text') }} as normal_form
    from records

),

final as (

    select
        record_kind,
        record_id,
        dataset,
        split,
        locale,
        text,
        normal_form,
        {{ text_key('normal_form') }} as text_key,
        {{ text_key(comparison_text('text')) }} as comparison_key
    from normalised
    where normal_form != ''

)

select * from final
