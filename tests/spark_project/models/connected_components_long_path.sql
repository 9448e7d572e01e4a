-- A path 1-2-3-4-5-6: node 6 is 5 steps from node 1, more than the 3 rounds this project gives
-- Spark's version (its check raises); DuckDB's recursion has no such bound.
with

edges as (

    select node_a, node_b
    from (values (1, 2), (3, 2), (3, 4), (5, 4), (5, 6)) as edge_list (node_a, node_b)

),

components as (
    {{ connected_components('edges') }}
)

select node, component from components
order by node
