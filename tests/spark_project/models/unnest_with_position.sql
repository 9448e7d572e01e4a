-- posexplode on Spark: 0-based positions, a row per element, none for an empty or null list.
with

lists as (

    select 1 as list_id, {{ list_of(["'a'", "'b'", "'c'"]) }} as items
    union all
    select 2 as list_id, {{ empty_string_list() }} as items
    union all
    select 3 as list_id, cast(null as {{ string_list_type() }}) as items
    union all
    select 4 as list_id, {{ list_of(["'d'", "cast(null as string)"]) }} as items

),

unnested as (

    select
        list_id,
        {{ unnest_with_position('items', 'item', 'item_position') }}
    from lists

)

select list_id, item_position, item from unnested
order by list_id, item_position
