-- Components labelled by their smallest node: a triangle, a pair, and a path whose node ids
-- are out of order (node 5 is 3 steps from its component's smallest node, 1).
with

edges as (

    select 1 as node_a, 4 as node_b
    union all select 4, 9
    union all select 9, 5
    union all select 2, 3
    union all select 3, 6
    union all select 6, 2
    union all select 8, 7

),

components as (
    {{ connected_components('edges') }}
)

select node, component from components
order by node
