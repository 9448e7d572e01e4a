-- Per record kind (utterance, intent_example), dataset, split and locale: exact and near
-- duplicates within the split, texts equal or near to the same dataset's train split, and
-- between the downstream sets and the pre-training corpus. "Exact" compares texts lower-cased,
-- as intent_text_overlap and the exact decontamination do; "near" is Jaccard >=
-- near_duplicate_threshold between normal forms (an equal normal form counts). Records whose
-- normal form is empty (no letter or digit) are not counted.
{%- set settings = near_duplicate_vars() %}
{%- set group_key = near_duplicate_group_key() %}
{#- What the counts are per: a group's key without its text. #}
{%- set set_key = group_key[1:] %}
with

groups as (

    select * from {{ ref('int_near_duplicate_groups') }}

),

neighbours as (

    select * from {{ ref('int_near_duplicate_neighbours') }}

),

-- Exact matches from the records' comparison keys: per key, whether a pre-training utterance
-- or a downstream validation/test example holds it; per split, each key's records, and
-- whether the same dataset's train split holds the key. (Aggregates and a window, rather than
-- joins of the records against key sets: those held too much in memory at once. The records
-- are read by name twice: DuckDB holds a CTE read more than once in memory.)
key_holders as (

    select
        comparison_key,
        count(*) filter (where record_kind = 'utterance') > 0 as is_pretraining_text,
        count(*) filter (
            where record_kind = 'intent_example' and split in ('validation', 'test')
        ) > 0 as is_evaluation_text
    from {{ ref('int_near_duplicate_records') }}
    group by comparison_key

),

split_keys as (

    select
        record_kind,
        dataset,
        split,
        locale,
        comparison_key,
        count(*) as n_records
    from {{ ref('int_near_duplicate_records') }}
    group by record_kind, dataset, split, locale, comparison_key

),

split_keys_flagged as (

    select
        *,
        count(*) filter (where split = 'train') over (
            partition by record_kind, dataset, locale, comparison_key
        ) > 0 as is_in_train
    from split_keys

),

exact_counts as (

    select
        {{ key_columns('split_keys_flagged', set_key) }},
        sum(split_keys_flagged.n_records) as n_records,
        sum(split_keys_flagged.n_records) - count(*) as n_exact_duplicates_within_split,
        coalesce(sum(split_keys_flagged.n_records) filter (
            where split_keys_flagged.split != 'train' and split_keys_flagged.is_in_train
        ), 0) as n_equal_to_train,
        coalesce(sum(split_keys_flagged.n_records) filter (where key_holders.is_pretraining_text), 0)
            as n_equal_to_pretraining,
        coalesce(sum(split_keys_flagged.n_records) filter (where key_holders.is_evaluation_text), 0)
            as n_equal_to_evaluation
    from split_keys_flagged
    inner join key_holders
        on split_keys_flagged.comparison_key = key_holders.comparison_key
    group by {{ key_columns('split_keys_flagged', set_key) }}

),

near as (

    select * from neighbours
    where similarity >= {{ settings.threshold }}

),

-- Each near-duplicate of a text group, with what it is: in the same split and earlier (its
-- first record sorts before the group's), in the same dataset's train split, a pre-training
-- utterance, a downstream validation/test example. (The groups are joined by name for each
-- side: DuckDB holds a CTE read more than once in memory.)
near_described as (

    select
        near.text_number,
        near.record_kind,
        near.dataset,
        near.split,
        near.locale,
        near.neighbour_record_kind = near.record_kind
        and near.neighbour_dataset = near.dataset
        and near.neighbour_locale = near.locale as is_same_set,
        near.neighbour_split = near.split as is_same_split,
        neighbour_groups.first_record_id < own_groups.first_record_id as is_earlier,
        near.neighbour_split = 'train' as is_train,
        near.neighbour_record_kind = 'utterance' as is_pretraining,
        near.neighbour_record_kind = 'intent_example'
        and near.neighbour_split in ('validation', 'test') as is_evaluation
    from near
    inner join {{ ref('int_near_duplicate_groups') }} as own_groups
        on {{ key_columns_equal('near', 'own_groups', group_key) }}
    inner join {{ ref('int_near_duplicate_groups') }} as neighbour_groups
        on {{ key_columns_equal('near', 'neighbour_groups', group_key, 'neighbour_') }}

),

group_flags as (

    select
        {{ group_key | join(', ') }},
        count(*) filter (where is_same_set and is_same_split and is_earlier) > 0 as has_earlier_in_split,
        count(*) filter (where split != 'train' and is_same_set and is_train) > 0 as is_near_train,
        count(*) filter (where is_pretraining) > 0 as is_near_pretraining,
        count(*) filter (where is_evaluation) > 0 as is_near_evaluation
    from near_described
    group by {{ group_key | join(', ') }}

),

-- The records of a group beyond its first are duplicates within the split; its first is one
-- when an earlier group of the split is near it. (A group's own texts are one normal form.)
near_counts as (

    select
        {{ key_columns('groups', set_key) }},
        sum(
            groups.n_records - 1
            + case when coalesce(group_flags.has_earlier_in_split, false) then 1 else 0 end
        ) as n_near_duplicates_within_split,
        coalesce(sum(groups.n_records) filter (where group_flags.is_near_train), 0) as n_near_train,
        coalesce(sum(groups.n_records) filter (where group_flags.is_near_pretraining), 0)
            as n_near_pretraining,
        coalesce(sum(groups.n_records) filter (where group_flags.is_near_evaluation), 0)
            as n_near_evaluation
    from groups
    left join group_flags
        on {{ key_columns_equal('groups', 'group_flags', group_key) }}
    group by {{ key_columns('groups', set_key) }}

),

final as (

    select
        {{ key_columns('exact_counts', set_key) }},
        cast(exact_counts.n_records as integer) as n_records,
        cast(exact_counts.n_exact_duplicates_within_split as integer) as n_exact_duplicates_within_split,
        cast(near_counts.n_near_duplicates_within_split as integer) as n_near_duplicates_within_split,
        {#- Per scope, the exact and the near count; null where the scope does not apply. #}
        {%- for scope, applies in [
            ('train', "exact_counts.split != 'train'"),
            ('pretraining', "exact_counts.record_kind = 'intent_example'"),
            ('evaluation', "exact_counts.record_kind = 'utterance'"),
        ] %}
            case when {{ applies }} then cast(exact_counts.n_equal_to_{{ scope }} as integer) end
                as n_equal_to_{{ scope }},
            case when {{ applies }} then cast(near_counts.n_near_{{ scope }} as integer) end
                as n_near_{{ scope }},
        {%- endfor %}
        {{ settings.threshold }} as near_duplicate_threshold
    from exact_counts
    inner join near_counts
        on {{ key_columns_equal('exact_counts', 'near_counts', set_key) }}

)

select * from final
