-- One row per distinct normal form the compared records hold in this build: a dense number in
-- normal-form order (the key the later stages join and group by: cheaper than the 128-bit
-- text_key) and what holds it (pre-training utterances, downstream validation/test examples).
-- What depends on the normal form alone (its n-grams, MinHash bands and near pairs) is kept
-- between builds, by text_key (int_near_duplicate_signatures and after).
with

records as (

    select * from {{ ref('int_near_duplicate_records') }}

),

texts as (

    select
        text_key,
        min(normal_form) as normal_form,
        count(*) as n_records,
        count(*) filter (where record_kind = 'utterance') > 0 as is_pretraining_text,
        count(*) filter (
            where record_kind = 'intent_example' and split in ('validation', 'test')
        ) > 0 as is_evaluation_text
    from records
    group by text_key

),

final as (

    select
        -- By normal form, not text_key: the key's values and order differ by engine, and the
        -- number orders what must come out alike (near_duplicate_pairs' sides).
        cast(row_number() over (order by normal_form) as integer) as text_number,
        text_key,
        normal_form,
        cast(n_records as integer) as n_records,
        is_pretraining_text,
        is_evaluation_text
    from texts

)

select * from final
