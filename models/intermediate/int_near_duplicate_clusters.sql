-- One row per distinct normal form that has a near-duplicate (Jaccard >= near_duplicate_threshold)
-- with its cluster: the connected component of the near-duplicate graph it belongs to.
-- cluster_id is the md5 of the smallest normal form in the cluster, so it stays the same across
-- builds while that text stays in it; a normal form without a near-duplicate is a cluster of its
-- own (cluster_id the md5 of itself) and is not listed.
{%- set settings = near_duplicate_vars() %}
with

pairs as (

    select * from {{ ref('int_near_duplicate_pairs') }}

),

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

edges as (

    select
        text_number_a as node_a,
        text_number_b as node_b
    from pairs
    where jaccard >= {{ settings.threshold }}

),

components as (
    {{ connected_components('edges') }}
),

members as (

    select
        cast(components.node as integer) as text_number,
        cast(components.component as integer) as cluster_number,
        texts.normal_form
    from components
    inner join texts
        on components.node = texts.text_number

),

named as (

    select
        cluster_number,
        md5(min(normal_form)) as cluster_id
    from members
    group by cluster_number

),

final as (

    select
        members.text_number,
        members.cluster_number,
        named.cluster_id
    from members
    inner join named
        on members.cluster_number = named.cluster_number

)

select * from final
