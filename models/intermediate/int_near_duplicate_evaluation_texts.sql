-- One row per normal form held by a pre-training utterance that equals, or is near (Jaccard >=
-- decontamination_threshold), the normal form of a downstream validation or test example: the
-- utterances that near-duplicate decontamination keeps out of the training exports, with the
-- highest similarity found (1 for an equal normal form).
{%- set settings = near_duplicate_vars() %}
with

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

pairs as (

    select * from {{ ref('int_near_duplicate_pairs') }}

),

text_pairs as (

    {{ text_pairs_both_ways('pairs', settings.decontamination_threshold) }}

),

near_evaluation as (

    select
        texts.text_number,
        text_pairs.jaccard as similarity
    from text_pairs
    inner join texts
        on text_pairs.text_number = texts.text_number
    inner join texts as evaluation_texts
        on text_pairs.neighbour_text_number = evaluation_texts.text_number
    where evaluation_texts.is_evaluation_text
    union all
    select
        text_number,
        1.0 as similarity
    from texts
    where is_evaluation_text

),

final as (

    select
        texts.text_key,
        max(near_evaluation.similarity) as similarity
    from near_evaluation
    inner join texts
        on near_evaluation.text_number = texts.text_number
    where texts.is_pretraining_text
    group by texts.text_key

)

select * from final
