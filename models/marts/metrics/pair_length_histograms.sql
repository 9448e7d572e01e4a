-- Length distributions of the contrastive pairs: anchors and positives by words, per
-- dataset, split, locale and pair type. Bins are [bin_lower, bin_upper); the last bin is
-- open-ended (bin_upper null) and holds every length from the var's maximum up.
{%- set word_bin_width = var('length_histogram_word_bin_width', 1) %}
{%- set max_words = var('length_histogram_max_words', 50) %}
with

utterance_pairs as (

    select * from {{ ref('utterance_pair_positions') }}

),

lengths_unioned as (

    select
        'anchor' as side,
        dataset,
        split,
        locale,
        pair_type,
        anchor_n_words as length_value
    from utterance_pairs

    union all

    select
        'positive' as side,
        dataset,
        split,
        locale,
        pair_type,
        positive_n_words as length_value
    from utterance_pairs

),

lengths_binned as (

    select
        side,
        dataset,
        split,
        locale,
        pair_type,
        case
            when length_value >= {{ max_words }} then {{ max_words }}
            else cast(floor(cast(length_value as double) / {{ word_bin_width }}) * {{ word_bin_width }} as integer)
        end as bin_lower,
        case
            when length_value >= {{ max_words }} then cast(null as integer)
            else cast(
                floor(cast(length_value as double) / {{ word_bin_width }}) * {{ word_bin_width }}
                + {{ word_bin_width }} as integer
            )
        end as bin_upper
    from lengths_unioned

),

final as (

    select
        pair_type,
        side,
        dataset,
        split,
        locale,
        cast(bin_lower as integer) as bin_lower,
        cast(bin_upper as integer) as bin_upper,
        count(*) as n_pairs
    from lengths_binned
    group by pair_type, side, dataset, split, locale, bin_lower, bin_upper

)

select * from final
