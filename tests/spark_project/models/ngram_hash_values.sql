-- The n-gram hashes as MinHash reads them: non-negative, equal n-grams hash alike across texts.
with

texts as (

    select {{ split_text(near_duplicate_normal_form('raw_text'), "' '") }} as words
    from parity_texts
    where text_id between 310 and 319

),

hashes as (

    select {{ unnest_list(word_ngram_hashes('words', 2)) }} as shingle_hash
    from texts

)

select
    count(*) as n_hashes,
    count(distinct shingle_hash) as n_distinct_hashes,
    min(shingle_hash) >= 0 as all_non_negative,
    min({{ minhash_input('shingle_hash') }}) >= 0 as inputs_non_negative
from hashes
