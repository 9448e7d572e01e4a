-- One row per distinct normal form of the compared texts: a dense number in normal-form order
-- (the key the LSH stage joins and groups by: cheaper than the 128-bit text_key), its word
-- n-gram hashes, and
-- what holds it (pre-training utterances, downstream validation/test examples).
{%- set settings = near_duplicate_vars() %}
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

split_into_words as (

    select
        *,
        {{ split_text('normal_form', "' '") }} as words
    from texts

),

shingled as (

    select
        -- By normal form, not text_key: the key's values and order differ by engine, and the
        -- number orders what must come out alike (near_duplicate_pairs' sides).
        cast(row_number() over (order by normal_form) as integer) as text_number,
        text_key,
        normal_form,
        {{ word_ngram_hashes('words', settings.ngram_size) }} as shingle_hashes,
        cast(n_records as integer) as n_records,
        is_pretraining_text,
        is_evaluation_text
    from split_into_words

),

final as (

    select
        text_number,
        text_key,
        normal_form,
        shingle_hashes,
        cast({{ list_length('shingle_hashes') }} as integer) as n_ngrams,
        n_records,
        is_pretraining_text,
        is_evaluation_text
    from shingled

)

select * from final
