-- One row per near-duplicate cluster and text group in it (a normal form held by records of
-- one record kind, dataset, split and locale). A cluster is a connected component of the
-- near-duplicate graph (Jaccard >= near_duplicate_threshold), or one normal form held by
-- several records; clusters of one record are not listed. Its representative is the normal
-- form held by most records (then the shortest, then the first in sort order). A group's text
-- is its first record's.
with

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

signatures as (

    select * from {{ ref('int_near_duplicate_signatures') }}

),

groups as (

    select * from {{ ref('int_near_duplicate_groups') }}

),

clusters as (

    select * from {{ ref('int_near_duplicate_clusters') }}

),

records as (

    select * from {{ ref('int_near_duplicate_records') }}

),

clustered_texts as (

    select
        texts.text_number,
        texts.text_key,
        texts.normal_form,
        texts.n_records,
        coalesce(clusters.cluster_id, md5(texts.normal_form)) as cluster_id
    from texts
    left join clusters
        on texts.text_number = clusters.text_number
    where clusters.text_number is not null or texts.n_records > 1

),

-- The n-grams of the clustered texts, to compare each with its cluster's representative.
with_shingles as (

    select
        clustered_texts.*,
        signatures.shingle_hashes
    from clustered_texts
    inner join signatures
        on clustered_texts.text_key = signatures.text_key

),

ranked as (

    select
        *,
        row_number() over (
            partition by cluster_id
            order by n_records desc, length(normal_form) asc, normal_form asc
        ) as representative_rank
    from with_shingles

),

representatives as (

    select
        cluster_id,
        text_number as representative_text_number,
        shingle_hashes as representative_shingle_hashes
    from ranked
    where representative_rank = 1

),

compared as (

    select
        ranked.cluster_id,
        ranked.text_number,
        ranked.normal_form,
        ranked.text_number = representatives.representative_text_number as is_representative,
        {{ list_jaccard('ranked.shingle_hashes', 'representatives.representative_shingle_hashes') }}
            as similarity_to_representative
    from ranked
    inner join representatives
        on ranked.cluster_id = representatives.cluster_id

),

final as (

    select
        compared.cluster_id,
        compared.is_representative,
        compared.similarity_to_representative,
        records.text,
        groups.record_kind,
        groups.dataset,
        groups.split,
        groups.locale,
        groups.n_records,
        groups.first_record_id as record_id,
        compared.normal_form
    from compared
    inner join groups
        on compared.text_number = groups.text_number
    inner join records
        on groups.first_record_id = records.record_id

)

select * from final
