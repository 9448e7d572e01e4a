-- One row per distinct normal form and word n-gram: the n-gram's hash reduced below the MinHash
-- prime, the value every permutation acts on. Read once per LSH band, so a table.
with

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

unnested as (

    select
        text_number,
        {{ unnest_list('shingle_hashes') }} as shingle_hash
    from texts

),

final as (

    select
        text_number,
        {{ minhash_input('shingle_hash') }} as minhash_input
    from unnested

)

select * from final
