-- categories.json lists the 77 labels in the order upstream defines.
with

source as (

    select * from {{ source('banking77', 'labels') }}

),

renamed as (

    select
        'banking77' as dataset,
        label,
        cast(_record_index as integer) as label_position,
        cast(null as string) as scenario
    from source

)

select * from renamed
