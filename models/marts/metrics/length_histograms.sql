-- Length distributions of the pre-training corpus and the downstream data as histograms:
-- dialogues by turns, utterances and examples by words, per dataset, split and locale. Bins
-- are [bin_lower, bin_upper); the last bin is open-ended (bin_upper null) and holds every
-- length from the var's maximum up.
{%- set word_bin_width = var('length_histogram_word_bin_width', 1) %}
{%- set max_words = var('length_histogram_max_words', 50) %}
{%- set turn_bin_width = var('length_histogram_turn_bin_width', 2) %}
{%- set max_turns = var('length_histogram_max_turns', 60) %}
{#- Per measured table: its measure, the length column, bin width and open-ended maximum. #}
{%- set lengths = [
    ('dialogues', 'turns_per_dialogue', 'n_turns', turn_bin_width, max_turns),
    ('turns', 'words_per_utterance', 'n_words', word_bin_width, max_words),
    ('intent_examples', 'words_per_example', 'n_words', word_bin_width, max_words),
    ('dialogue_intent_examples', 'words_per_example', 'n_words', word_bin_width, max_words),
] %}
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

lengths_binned as (
    {%- for table_name, measure, length_column, bin_width, max_length in lengths %}

        select
            '{{ table_name }}' as table_name,
            '{{ measure }}' as measure,
            dataset,
            split,
            locale,
            {{ histogram_bin_lower(length_column, bin_width, max_length) }} as bin_lower,
            {{ histogram_bin_upper(length_column, bin_width, max_length) }} as bin_upper
        from {{ table_name }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

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
