{%- set settings = near_duplicate_vars() %}
with

examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

labels as (

    select * from {{ ref('int_intent_labels_numbered') }}

),

near_duplicate_groups as (

    select * from {{ ref('int_near_duplicate_groups') }}

),

near_duplicate_neighbours as (

    select * from {{ ref('int_near_duplicate_neighbours') }}

),

kept as (

    select
        *,
        {{ text_key(near_duplicate_normal_form('text')) }} as near_duplicate_text_key
    from examples
    where rejection_reason is null

),

-- Per validation/test text group, the highest similarity to a train example of the same
-- dataset and locale (an equal normal form counts as 1).
nearest_train as (

    select
        text_number,
        dataset,
        split,
        locale,
        max(similarity) as nearest_train_similarity
    from near_duplicate_neighbours
    where
        record_kind = 'intent_example'
        and neighbour_record_kind = 'intent_example'
        and split != 'train'
        and neighbour_split = 'train'
        and neighbour_dataset = dataset
        and neighbour_locale = locale
        and similarity >= {{ settings.threshold }}
    group by text_number, dataset, split, locale

),

final as (

    select
        kept.example_id,
        kept.source_example_id,
        kept.dataset,
        kept.split,
        kept.split_source,
        kept.locale,
        {{ language_of('kept.locale') }} as language,
        kept.text,
        kept.english_text,
        kept.label,
        labels.label_id,
        coalesce(kept.scenario, labels.scenario) as scenario,
        kept.is_out_of_scope,
        cast(length(kept.text) as integer) as n_chars,
        cast({{ count_words('kept.text') }} as integer) as n_words,
        kept.source_path,
        nearest_train.nearest_train_similarity,
        nearest_train.nearest_train_similarity is not null as is_near_train
    from kept
    left join labels
        on
            kept.dataset = labels.dataset
            and kept.label = labels.label
    left join near_duplicate_groups
        on
            kept.near_duplicate_text_key = near_duplicate_groups.text_key
            and near_duplicate_groups.record_kind = 'intent_example'
            and kept.dataset = near_duplicate_groups.dataset
            and kept.split = near_duplicate_groups.split
            and kept.locale = near_duplicate_groups.locale
    left join nearest_train
        on
            {{ key_columns_equal(
                'near_duplicate_groups', 'nearest_train', ['text_number', 'dataset', 'split', 'locale']
            ) }}

)

select * from final
