-- One row per ordered pair of text groups (int_near_duplicate_groups) whose texts are
-- near-duplicates, each pair once from each side: the same normal form held in two groups
-- (similarity 1), or two normal forms at a Jaccard similarity of at least the lower of the two
-- thresholds (int_near_duplicate_pairs). Metrics, flags and the pairs mart read it.
{%- set group_key = near_duplicate_group_key() %}
with

groups as (

    select * from {{ ref('int_near_duplicate_groups') }}

),

pairs as (

    select * from {{ ref('int_near_duplicate_pairs') }}

),

text_pairs as (

    {{ text_pairs_both_ways('pairs') }}

),

near_groups as (

    select
        {{ key_columns('own', group_key) }},
        {{ key_columns('neighbour', group_key, 'neighbour_') }},
        text_pairs.jaccard as similarity,
        false as is_same_normal_form
    from text_pairs
    inner join groups as own
        on text_pairs.text_number = own.text_number
    inner join groups as neighbour
        on text_pairs.neighbour_text_number = neighbour.text_number

),

same_form_groups as (

    select
        {{ key_columns('own', group_key) }},
        {{ key_columns('neighbour', group_key, 'neighbour_') }},
        1.0 as similarity,
        true as is_same_normal_form
    from groups as own
    inner join groups as neighbour
        on
            own.text_number = neighbour.text_number
            and (
                own.record_kind != neighbour.record_kind
                or own.dataset != neighbour.dataset
                or own.split != neighbour.split
                or own.locale != neighbour.locale
            )

),

final as (

    select * from near_groups
    union all
    select * from same_form_groups

)

select * from final
