-- One row per pair of distinct normal forms whose Jaccard similarity (over their sets of word
-- n-grams) is at least the lower of near_duplicate_threshold and decontamination_threshold:
-- the candidates LSH banding gives (some band key shared), each verified exactly. text_number_a
-- is the smaller of the two numbers. The texts are joined twice by name rather than through an
-- import CTE: DuckDB holds a CTE read more than once in memory, n-gram lists and all.
{%- set settings = near_duplicate_vars() %}
with

bands as (

    select * from {{ ref('int_near_duplicate_bands') }}

),

-- Most band keys belong to one text only; the self-join below sees only the shared ones.
shared_buckets as (

    select
        band,
        band_key
    from bands
    group by band, band_key
    having count(*) > 1

),

bucketed as (

    select
        bands.band,
        bands.band_key,
        bands.text_number
    from {{ ref('int_near_duplicate_bands') }} as bands
    inner join shared_buckets
        on bands.band = shared_buckets.band and bands.band_key = shared_buckets.band_key

),

candidates as (

    select distinct
        left_side.text_number as text_number_a,
        right_side.text_number as text_number_b
    from bucketed as left_side
    inner join bucketed as right_side
        on
            left_side.band = right_side.band
            and left_side.band_key = right_side.band_key
            and left_side.text_number < right_side.text_number

),

-- Jaccard >= t needs the smaller set to hold at least t times as many n-grams as the larger:
-- a cheap test on the counts before the lists are read (less 1e-9, so that rounding in the
-- product never drops a pair at exactly t).
sized as (

    select candidates.*
    from candidates
    inner join {{ ref('int_near_duplicate_texts') }} as texts_a
        on candidates.text_number_a = texts_a.text_number
    inner join {{ ref('int_near_duplicate_texts') }} as texts_b
        on candidates.text_number_b = texts_b.text_number
    where
        least(texts_a.n_ngrams, texts_b.n_ngrams)
        >= {{ settings.lowest_threshold }} * greatest(texts_a.n_ngrams, texts_b.n_ngrams) - 1e-9

),

measured as (

    select
        sized.text_number_a,
        sized.text_number_b,
        texts_a.text_key as text_key_a,
        texts_b.text_key as text_key_b,
        texts_a.n_ngrams as n_ngrams_a,
        texts_b.n_ngrams as n_ngrams_b,
        {{ shared_elements('texts_a.shingle_hashes', 'texts_b.shingle_hashes') }} as n_shared_ngrams
    from sized
    inner join {{ ref('int_near_duplicate_texts') }} as texts_a
        on sized.text_number_a = texts_a.text_number
    inner join {{ ref('int_near_duplicate_texts') }} as texts_b
        on sized.text_number_b = texts_b.text_number

),

verified as (

    select
        text_number_a,
        text_number_b,
        text_key_a,
        text_key_b,
        cast(n_shared_ngrams as integer) as n_shared_ngrams,
        n_shared_ngrams / cast(n_ngrams_a + n_ngrams_b - n_shared_ngrams as double) as jaccard
    from measured

),

final as (

    select * from verified
    where jaccard >= {{ settings.lowest_threshold }}

)

select * from final
