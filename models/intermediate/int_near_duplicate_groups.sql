-- One row per normal form and the records holding it in one record kind, dataset, split and
-- locale: the groups near-duplicates are reported between, with how many records the group
-- has and the first of them (smallest record_id; its written text is in
-- int_near_duplicate_records: an aggregate carrying the texts would hold them all in memory).
with

records as (

    select * from {{ ref('int_near_duplicate_records') }}

),

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

grouped as (

    select
        text_key,
        record_kind,
        dataset,
        split,
        locale,
        count(*) as n_records,
        min(record_id) as first_record_id
    from records
    group by text_key, record_kind, dataset, split, locale

),

final as (

    select
        texts.text_number,
        grouped.text_key,
        grouped.record_kind,
        grouped.dataset,
        grouped.split,
        grouped.locale,
        cast(grouped.n_records as integer) as n_records,
        grouped.first_record_id
    from grouped
    inner join texts
        on grouped.text_key = texts.text_key

)

select * from final
