-- Length distributions of the contrastive pairs: anchors and positives by words, per
-- dataset, split, locale and pair type. Bins are [bin_lower, bin_upper); the last bin is
-- open-ended (bin_upper null) and holds every length from the var's maximum up.
{%- set word_bin_width = var('length_histogram_word_bin_width', 1) %}
{%- set max_words = var('length_histogram_max_words', 50) %}
with

utterance_pairs as (

    select * from {{ ref('utterance_pair_positions') }}

),

lengths_binned as (
    {%- for side in ['anchor', 'positive'] %}

        select
            '{{ side }}' as side,
            dataset,
            split,
            locale,
            pair_type,
            {{ histogram_bin_lower(side ~ '_n_words', word_bin_width, max_words) }} as bin_lower,
            {{ histogram_bin_upper(side ~ '_n_words', word_bin_width, max_words) }} as bin_upper
        from utterance_pairs
        {{ 'union all' if not loop.last }}
    {%- endfor %}

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
