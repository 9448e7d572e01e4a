-- With decontamination_match near_duplicate (the default), no training turn, and no utterance
-- of a training pair, has a normal form equal or near (Jaccard >= decontamination_threshold) to
-- that of a downstream validation/test example (int_near_duplicate_evaluation_texts). With
-- exact, near-duplicates may stay: the test finds nothing.
{%- set settings = near_duplicate_vars() %}
{%- set near_duplicates = 'true' if settings.decontamination_match == 'near_duplicate' else 'false' %}
with

near_evaluation_texts as (

    select * from {{ ref('int_near_duplicate_evaluation_texts') }}

),

turns as (

    select
        'turn' as record_kind,
        turn_id as record_id,
        {{ text_key(near_duplicate_normal_form('text')) }} as text_key
    from {{ ref('training_turns') }}

),

pair_texts as (

    select
        'pair' as record_kind,
        pair_id as record_id,
        {{ text_key(near_duplicate_normal_form('positive')) }} as text_key
    from {{ ref('training_pairs') }}
    union all
    select
        'pair' as record_kind,
        pair_id as record_id,
        {{ text_key(near_duplicate_normal_form('anchor')) }} as text_key
    from {{ ref('training_pairs') }}
    where pair_type = 'next_turn'

),

checked as (

    select * from turns
    union all
    select * from pair_texts

),

offending as (

    select
        checked.record_kind,
        checked.record_id
    from checked
    inner join near_evaluation_texts
        on checked.text_key = near_evaluation_texts.text_key
    where {{ near_duplicates }}

)

select * from offending
