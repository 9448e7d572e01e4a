-- explode on Spark; the order is stated with nulls last (Spark's default puts them first).
with

lists as (

    select {{ list_of(["'b'", "'a'"]) }} as items
    union all
    select {{ empty_string_list() }} as items
    union all
    select cast(null as {{ string_list_type() }}) as items
    union all
    select {{ list_of(["cast(null as string)", "'c'"]) }} as items

),

unnested as (

    select {{ unnest_list('items') }} as item
    from lists

)

select item from unnested
order by item nulls last
