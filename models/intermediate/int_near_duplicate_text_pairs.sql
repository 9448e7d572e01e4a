-- One row per pair of distinct normal forms (by text_id, the smaller first) whose Jaccard
-- similarity (over their sets of word n-grams) is at least the lower of near_duplicate_threshold
-- and decontamination_threshold: the candidates LSH banding gives (some band key shared), each
-- verified exactly. A pair depends on its two normal forms alone, so it is kept between builds
-- in `staged` with them (int_near_duplicate_signatures): a build looks only at the buckets
-- holding a band it added, and at the candidates with a side it added. The signatures are
-- joined twice by name rather than through an import CTE: DuckDB holds a CTE read more than
-- once in memory, n-gram lists and all.
{%- set settings = near_duplicate_vars() %}
{%- set added_now = "added_by = '" ~ invocation_id ~ "'" %}
with

bands as (

    select * from {{ ref('int_near_duplicate_bands') }}

),

-- Most band keys belong to one text only; the self-join below sees only the shared ones (on a
-- later build, only the shared ones that hold a band it added).
{%- if is_incremental() %}
added_buckets as (

    select distinct
        band,
        band_key
    from bands
    where {{ added_now }}

),
{%- endif %}

shared_buckets as (

    select
        bands.band,
        bands.band_key
    from bands
    {%- if is_incremental() %}
    inner join added_buckets
        on bands.band = added_buckets.band and bands.band_key = added_buckets.band_key
    {%- endif %}
    group by bands.band, bands.band_key
    having count(*) > 1

),

bucketed as (

    select
        bands.band,
        bands.band_key,
        bands.text_id,
        bands.{{ added_now }} as is_added
    from {{ ref('int_near_duplicate_bands') }} as bands
    inner join shared_buckets
        on bands.band = shared_buckets.band and bands.band_key = shared_buckets.band_key

),

candidates as (

    select distinct
        left_side.text_id as text_id_a,
        right_side.text_id as text_id_b
    from bucketed as left_side
    inner join bucketed as right_side
        on
            left_side.band = right_side.band
            and left_side.band_key = right_side.band_key
            and left_side.text_id < right_side.text_id
    {%- if is_incremental() %}
    -- A pair of two kept texts was verified by the build that added the later of them.
    where left_side.is_added or right_side.is_added
    {%- endif %}

),

-- Jaccard >= t needs the smaller set to hold at least t times as many n-grams as the larger:
-- a cheap test on the counts before the lists are read (less 1e-9, so that rounding in the
-- product never drops a pair at exactly t).
sized as (

    select candidates.*
    from candidates
    inner join {{ ref('int_near_duplicate_signatures') }} as signatures_a
        on candidates.text_id_a = signatures_a.text_id
    inner join {{ ref('int_near_duplicate_signatures') }} as signatures_b
        on candidates.text_id_b = signatures_b.text_id
    where
        least(signatures_a.n_ngrams, signatures_b.n_ngrams)
        >= {{ settings.lowest_threshold }} * greatest(signatures_a.n_ngrams, signatures_b.n_ngrams) - 1e-9

),

measured as (

    select
        sized.text_id_a,
        sized.text_id_b,
        signatures_a.n_ngrams as n_ngrams_a,
        signatures_b.n_ngrams as n_ngrams_b,
        {{ shared_elements('signatures_a.shingle_hashes', 'signatures_b.shingle_hashes') }}
            as n_shared_ngrams
    from sized
    inner join {{ ref('int_near_duplicate_signatures') }} as signatures_a
        on sized.text_id_a = signatures_a.text_id
    inner join {{ ref('int_near_duplicate_signatures') }} as signatures_b
        on sized.text_id_b = signatures_b.text_id

),

verified as (

    select
        text_id_a,
        text_id_b,
        cast(n_shared_ngrams as integer) as n_shared_ngrams,
        n_shared_ngrams / cast(n_ngrams_a + n_ngrams_b - n_shared_ngrams as double) as jaccard
    from measured

),

final as (

    select * from verified
    where jaccard >= {{ settings.lowest_threshold }}

)

select * from final
