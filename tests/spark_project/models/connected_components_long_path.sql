-- A path 1-2-3-4-5-6: node 6 is 5 steps from node 1, more than the 3 rounds this project gives
-- Spark's version (its check raises); DuckDB's recursion has no such bound.
with

edges as (

    select 1 as node_a, 2 as node_b
    union all select 3, 2
    union all select 3, 4
    union all select 5, 4
    union all select 5, 6

),

components as (
    {{ connected_components('edges') }}
)

select node, component from components
order by node
