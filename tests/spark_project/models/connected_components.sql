-- Components labelled by their smallest node: a triangle, a pair, and a path whose node ids
-- are out of order (node 5 is 3 steps from its component's smallest node, 1).
with

edges as (

    select node_a, node_b
    from (values (1, 4), (4, 9), (9, 5), (2, 3), (3, 6), (6, 2), (8, 7)) as edge_list (node_a, node_b)

),

components as (
    {{ connected_components('edges') }}
)

select node, component from components
order by node
