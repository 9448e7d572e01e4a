-- The lists that list_length and unnest_with_position read: three strings, an empty list, a
-- null list, and a list holding a null. Inlined into each (ephemeral), so the compiled query
-- needs no table but the test's inputs.
{{ config(materialized='ephemeral') }}

select 1 as list_id, {{ list_of(["'a'", "'b'", "'c'"]) }} as items
union all
select 2 as list_id, {{ empty_string_list() }} as items
union all
select 3 as list_id, cast(null as {{ string_list_type() }}) as items
union all
select 4 as list_id, {{ list_of(["'d'", "cast(null as string)"]) }} as items
