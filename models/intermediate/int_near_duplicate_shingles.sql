-- One row per normal form this build added (int_near_duplicate_signatures) and word n-gram:
-- the n-gram's hash reduced below the MinHash prime, the value every permutation acts on. Read
-- once per LSH band, so a table.
with

signatures as (

    select * from {{ ref('int_near_duplicate_signatures') }}

),

unnested as (

    select
        text_id,
        {{ unnest_list('shingle_hashes') }} as shingle_hash
    from signatures
    where added_by = '{{ invocation_id }}'

),

final as (

    select
        text_id,
        {{ minhash_input('shingle_hash') }} as minhash_input
    from unnested

)

select * from final
