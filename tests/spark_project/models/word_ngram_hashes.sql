-- Word bigram hashes (DuckDB's hash, Spark's xxhash64: different values) compared between
-- texts: counts, shared n-grams and Jaccard similarities are the same on both engines.
with

texts as (

    select
        text_id,
        {{ split_text(near_duplicate_normal_form('raw_text'), "' '") }} as words
    from parity_texts
    where text_id between 310 and 319

),

hashed as (

    select
        text_id,
        {{ word_ngram_hashes('words', 2) }} as shingle_hashes
    from texts

)

select
    hashed_a.text_id as text_a,
    hashed_b.text_id as text_b,
    {{ list_length('hashed_a.shingle_hashes') }} as n_ngrams_a,
    {{ shared_elements('hashed_a.shingle_hashes', 'hashed_b.shingle_hashes') }} as n_shared,
    {{ list_jaccard('hashed_a.shingle_hashes', 'hashed_b.shingle_hashes') }} as jaccard
from hashed as hashed_a
inner join hashed as hashed_b
    on hashed_a.text_id < hashed_b.text_id
order by text_a, text_b
