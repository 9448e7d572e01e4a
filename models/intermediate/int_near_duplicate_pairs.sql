-- One row per pair of distinct normal forms of this build (int_near_duplicate_texts) whose
-- Jaccard similarity (over their sets of word n-grams) is at least the lower of
-- near_duplicate_threshold and decontamination_threshold: the kept pairs
-- (int_near_duplicate_text_pairs) whose two normal forms the records hold now, by
-- text_number. text_number_a is the smaller of the two numbers.
with

text_pairs as (

    select * from {{ ref('int_near_duplicate_text_pairs') }}

),

signatures as (

    select * from {{ ref('int_near_duplicate_signatures') }}

),

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

numbered as (

    select
        texts_a.text_number as text_number_1,
        texts_b.text_number as text_number_2,
        texts_a.text_key as text_key_1,
        texts_b.text_key as text_key_2,
        text_pairs.n_shared_ngrams,
        text_pairs.jaccard
    from text_pairs
    inner join signatures as signatures_a
        on text_pairs.text_id_a = signatures_a.text_id
    inner join signatures as signatures_b
        on text_pairs.text_id_b = signatures_b.text_id
    inner join texts as texts_a
        on signatures_a.text_key = texts_a.text_key
    inner join texts as texts_b
        on signatures_b.text_key = texts_b.text_key

),

final as (

    select
        least(text_number_1, text_number_2) as text_number_a,
        greatest(text_number_1, text_number_2) as text_number_b,
        case when text_number_1 < text_number_2 then text_key_1 else text_key_2 end as text_key_a,
        case when text_number_1 < text_number_2 then text_key_2 else text_key_1 end as text_key_b,
        n_shared_ngrams,
        jaccard
    from numbered

)

select * from final
