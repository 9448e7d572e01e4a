-- One row per near-duplicate cluster (near_duplicate_cluster_members): its representative
-- text and where the cluster's records come from.
with

members as (

    select * from {{ ref('near_duplicate_cluster_members') }}

),

representatives as (

    select
        cluster_id,
        min(text) as representative_text,
        min(normal_form) as representative_normal_form,
        min(record_id) as representative_record_id
    from members
    where is_representative
    group by cluster_id

),

aggregated as (

    select
        cluster_id,
        count(distinct normal_form) as n_normal_forms,
        sum(n_records) as n_records,
        count(*) as n_groups,
        min(similarity_to_representative) as min_similarity_to_representative,
        {{ ordered_list_agg('record_kind', 'record_kind', distinct=true) }} as record_kinds,
        {{ ordered_list_agg('dataset', 'dataset', distinct=true) }} as datasets,
        {{ ordered_list_agg("dataset || '/' || split", "dataset || '/' || split", distinct=true) }}
            as dataset_splits
    from members
    group by cluster_id

),

final as (

    select
        aggregated.cluster_id,
        representatives.representative_text,
        representatives.representative_normal_form,
        representatives.representative_record_id,
        cast(aggregated.n_normal_forms as integer) as n_normal_forms,
        cast(aggregated.n_records as integer) as n_records,
        cast(aggregated.n_groups as integer) as n_groups,
        aggregated.min_similarity_to_representative,
        aggregated.record_kinds,
        aggregated.datasets,
        aggregated.dataset_splits
    from aggregated
    inner join representatives
        on aggregated.cluster_id = representatives.cluster_id

)

select * from final
