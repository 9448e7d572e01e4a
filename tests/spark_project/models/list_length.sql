-- array_size on Spark: null for a null list (size() gives -1 without ANSI mode).
with

lists as (

    select 1 as list_id, {{ list_of(["'a'", "'b'", "'c'"]) }} as items
    union all
    select 2 as list_id, {{ empty_string_list() }} as items
    union all
    select 3 as list_id, cast(null as {{ string_list_type() }}) as items
    union all
    select 4 as list_id, {{ list_of(["'d'", "cast(null as string)"]) }} as items

)

select list_id, {{ list_length('items') }} as n_items from lists
order by list_id
