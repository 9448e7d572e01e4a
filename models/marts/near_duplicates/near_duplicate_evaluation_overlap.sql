-- Per downstream intent dataset, split and locale, and per pre-training (dialogue) dataset: how
-- many examples equal (lower-cased) or are near (Jaccard >= near_duplicate_threshold, an
-- equal normal form included) an utterance of that dataset, in any of its splits.
-- The records are read by name twice, not through an import CTE, which DuckDB would hold in
-- memory.
{%- set settings = near_duplicate_vars() %}
with

groups as (

    select * from {{ ref('int_near_duplicate_groups') }}

),

neighbours as (

    select * from {{ ref('int_near_duplicate_neighbours') }}

),

example_keys as (

    select
        dataset,
        split,
        locale,
        comparison_key
    from {{ ref('int_near_duplicate_records') }}
    where record_kind = 'intent_example'

),

utterance_keys as (

    select distinct
        dataset as pretraining_dataset,
        comparison_key
    from {{ ref('int_near_duplicate_records') }}
    where record_kind = 'utterance'

),

example_sets as (

    select
        dataset,
        split,
        locale,
        count(*) as n_examples
    from example_keys
    group by dataset, split, locale

),

pretraining_datasets as (

    select distinct pretraining_dataset from utterance_keys

),

equal_counts as (

    select
        example_keys.dataset,
        example_keys.split,
        example_keys.locale,
        utterance_keys.pretraining_dataset,
        count(*) as n_equal_to_pretraining
    from example_keys
    inner join utterance_keys
        on example_keys.comparison_key = utterance_keys.comparison_key
    group by example_keys.dataset, example_keys.split, example_keys.locale, utterance_keys.pretraining_dataset

),

near_groups as (

    select distinct
        text_number,
        dataset,
        split,
        locale,
        neighbour_dataset as pretraining_dataset
    from neighbours
    where
        record_kind = 'intent_example'
        and neighbour_record_kind = 'utterance'
        and similarity >= {{ settings.threshold }}

),

near_counts as (

    select
        near_groups.dataset,
        near_groups.split,
        near_groups.locale,
        near_groups.pretraining_dataset,
        sum(groups.n_records) as n_near_pretraining
    from near_groups
    inner join groups
        on
            near_groups.text_number = groups.text_number
            and groups.record_kind = 'intent_example'
            and near_groups.dataset = groups.dataset
            and near_groups.split = groups.split
            and near_groups.locale = groups.locale
    group by near_groups.dataset, near_groups.split, near_groups.locale, near_groups.pretraining_dataset

),

final as (

    select
        example_sets.dataset,
        example_sets.split,
        example_sets.locale,
        pretraining_datasets.pretraining_dataset,
        cast(example_sets.n_examples as integer) as n_examples,
        cast(coalesce(equal_counts.n_equal_to_pretraining, 0) as integer) as n_equal_to_pretraining,
        cast(coalesce(near_counts.n_near_pretraining, 0) as integer) as n_near_pretraining,
        {{ settings.threshold }} as near_duplicate_threshold
    from example_sets
    cross join pretraining_datasets
    left join equal_counts
        on
            {{ key_columns_equal('example_sets', 'equal_counts', ['dataset', 'split', 'locale']) }}
            and pretraining_datasets.pretraining_dataset = equal_counts.pretraining_dataset
    left join near_counts
        on
            {{ key_columns_equal('example_sets', 'near_counts', ['dataset', 'split', 'locale']) }}
            and pretraining_datasets.pretraining_dataset = near_counts.pretraining_dataset

)

select * from final
