-- One row per pair of text groups (a normal form held by records of one record kind, dataset,
-- split and locale) whose texts are near-duplicates: Jaccard similarity of their word n-grams
-- >= near_duplicate_threshold, or the same normal form (similarity 1) in two groups. Each pair
-- once, oriented so that the first side is the one checked for contamination: an intent
-- example before a pre-training utterance, then test before validation before train. Each
-- side's text is its group's first record's. Groups, texts and records are joined for each
-- side by name, not through import CTEs: DuckDB holds a CTE read twice in memory.
{%- set settings = near_duplicate_vars() %}
with

neighbours as (

    select * from {{ ref('int_near_duplicate_neighbours') }}

),

clusters as (

    select * from {{ ref('int_near_duplicate_clusters') }}

),

-- A total order on the sides: record kind and split first, then anything that tells two
-- groups apart, ending with text_number (normal-form order, the same on every engine).
ordered as (

    select
        *,
        {%- for side in ['', 'neighbour_'] %}
            concat_ws(
                '|',
                case {{ side }}record_kind when 'intent_example' then '0' else '1' end,
                case {{ side }}split when 'test' then '0' when 'validation' then '1' else '2' end,
                {{ side }}dataset,
                {{ side }}locale,
                lpad(cast({{ side }}text_number as string), 12, '0')
            ) as {{ side }}side_order{% if not loop.last %},{% endif %}
        {%- endfor %}
    from neighbours
    where similarity >= {{ settings.threshold }}

),

oriented as (

    select * from ordered
    where side_order < neighbour_side_order

),

final as (

    select
        coalesce(clusters.cluster_id, md5(texts.normal_form)) as cluster_id,
        oriented.similarity,
        oriented.is_same_normal_form,
        own_records.text,
        oriented.record_kind,
        oriented.dataset,
        oriented.split,
        oriented.locale,
        own.n_records,
        own.first_record_id as record_id,
        neighbour_records.text as neighbour_text,
        oriented.neighbour_record_kind,
        oriented.neighbour_dataset,
        oriented.neighbour_split,
        oriented.neighbour_locale,
        neighbour.n_records as neighbour_n_records,
        neighbour.first_record_id as neighbour_record_id,
        texts.normal_form,
        neighbour_texts.normal_form as neighbour_normal_form
    from oriented
    inner join {{ ref('int_near_duplicate_groups') }} as own
        on {{ key_columns_equal('oriented', 'own', near_duplicate_group_key()) }}
    inner join {{ ref('int_near_duplicate_groups') }} as neighbour
        on {{ key_columns_equal('oriented', 'neighbour', near_duplicate_group_key(), 'neighbour_') }}
    inner join {{ ref('int_near_duplicate_records') }} as own_records
        on own.first_record_id = own_records.record_id
    inner join {{ ref('int_near_duplicate_records') }} as neighbour_records
        on neighbour.first_record_id = neighbour_records.record_id
    inner join {{ ref('int_near_duplicate_texts') }} as texts
        on oriented.text_number = texts.text_number
    inner join {{ ref('int_near_duplicate_texts') }} as neighbour_texts
        on oriented.neighbour_text_number = neighbour_texts.text_number
    left join clusters
        on oriented.text_number = clusters.text_number

)

select * from final
-- Stored cluster by cluster: a cluster's pairs side by side compress to a quarter less.
order by cluster_id, record_id, neighbour_record_id
