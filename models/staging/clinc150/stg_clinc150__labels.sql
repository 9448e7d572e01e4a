-- domains.json maps each of the 10 domains to its intents; CLINC150 defines no label order.
-- The out-of-scope label `oos` belongs to no domain and is not listed.
with

source as (

    select * from {{ source('clinc150', 'domains') }}

),

intents_unnested as (

    select
        domain,
        {{ unnest_list('intents') }} as intent
    from source

),

renamed as (

    select
        'clinc150' as dataset,
        intent as label,
        cast(null as integer) as label_position,
        domain as scenario
    from intents_unnested

)

select * from renamed
