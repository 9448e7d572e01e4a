-- posexplode on Spark: 0-based positions, a row per element, none for an empty or null list.
with

lists as (

    select * from {{ ref('lists') }}

),

unnested as (

    select
        list_id,
        {{ unnest_with_position('items', 'item', 'item_position') }}
    from lists

)

select list_id, item_position, item from unnested
order by list_id, item_position
