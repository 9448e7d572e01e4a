-- Length distributions of the pre-training corpus and the downstream data as histograms:
-- dialogues by turns, utterances and examples by words, per dataset, split and locale. Bins
-- are [bin_lower, bin_upper); the last bin is open-ended (bin_upper null) and holds every
-- length from the var's maximum up.
{%- set word_bin_width = var('length_histogram_word_bin_width', 1) %}
{%- set max_words = var('length_histogram_max_words', 50) %}
{%- set turn_bin_width = var('length_histogram_turn_bin_width', 2) %}
{%- set max_turns = var('length_histogram_max_turns', 60) %}
with

dialogues as (

    select * from {{ ref('dialogue_turn_lists') }}

),

turns as (

    select * from {{ ref('turns') }}

),

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

dialogue_intent_examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

lengths_unioned as (

    select
        'dialogues' as table_name,
        'turns_per_dialogue' as measure,
        dataset,
        split,
        locale,
        n_turns as length_value,
        {{ turn_bin_width }} as bin_width,
        {{ max_turns }} as max_length
    from dialogues

    union all

    select
        'turns' as table_name,
        'words_per_utterance' as measure,
        dataset,
        split,
        locale,
        n_words as length_value,
        {{ word_bin_width }} as bin_width,
        {{ max_words }} as max_length
    from turns

    union all

    select
        'intent_examples' as table_name,
        'words_per_example' as measure,
        dataset,
        split,
        locale,
        n_words as length_value,
        {{ word_bin_width }} as bin_width,
        {{ max_words }} as max_length
    from intent_examples

    union all

    select
        'dialogue_intent_examples' as table_name,
        'words_per_example' as measure,
        dataset,
        split,
        locale,
        n_words as length_value,
        {{ word_bin_width }} as bin_width,
        {{ max_words }} as max_length
    from dialogue_intent_examples

),

lengths_binned as (

    select
        table_name,
        measure,
        dataset,
        split,
        locale,
        case
            when length_value >= max_length then max_length
            else cast(floor(cast(length_value as double) / bin_width) * bin_width as integer)
        end as bin_lower,
        case
            when length_value >= max_length then cast(null as integer)
            else cast(floor(cast(length_value as double) / bin_width) * bin_width + bin_width as integer)
        end as bin_upper
    from lengths_unioned

),

final as (

    select
        table_name,
        measure,
        dataset,
        split,
        locale,
        cast(bin_lower as integer) as bin_lower,
        cast(bin_upper as integer) as bin_upper,
        count(*) as n_records
    from lengths_binned
    group by table_name, measure, dataset, split, locale, bin_lower, bin_upper

)

select * from final
