-- Every pair of near-duplicate normal forms (Jaccard >= near_duplicate_threshold) lies in one
-- cluster: the connected components are complete.
{%- set settings = near_duplicate_vars() %}
with

pairs as (

    select * from {{ ref('int_near_duplicate_pairs') }}

),

clusters as (

    select * from {{ ref('int_near_duplicate_clusters') }}

),

split_pairs as (

    select
        pairs.text_number_a,
        pairs.text_number_b,
        clusters_a.cluster_number as cluster_a,
        clusters_b.cluster_number as cluster_b
    from pairs
    left join clusters as clusters_a
        on pairs.text_number_a = clusters_a.text_number
    left join clusters as clusters_b
        on pairs.text_number_b = clusters_b.text_number
    where pairs.jaccard >= {{ settings.threshold }}

)

select * from split_pairs
where cluster_a is null or cluster_b is null or cluster_a != cluster_b
