-- array_size on Spark: null for a null list (size() gives -1 without ANSI mode).
with

lists as (

    select * from {{ ref('lists') }}

)

select list_id, {{ list_length('items') }} as n_items from lists
order by list_id
