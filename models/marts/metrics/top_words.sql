-- The most frequent words of each dataset and locale: utterances of the pre-training corpus
-- (turns) and texts of the intent datasets (intent_examples). A word is a lower-cased run of
-- letters and digits (apostrophes inside kept); scripts written without spaces (zh, ja, th)
-- give runs of characters rather than words.
{%- set top_n = var('top_words_per_dataset', 50) %}
{%- set word_pattern = "[\\p{L}\\p{N}]+(?:[''’][\\p{L}\\p{N}]+)*" %}
with

turns as (

    select * from {{ ref('turns') }}

),

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

texts_unioned as (

    select
        'turns' as table_name,
        dataset,
        locale,
        text
    from turns

    union all

    select
        'intent_examples' as table_name,
        dataset,
        locale,
        text
    from intent_examples

),

words as (

    select
        table_name,
        dataset,
        locale,
        {{ unnest_list("regexp_extract_all(lower(text), '" ~ word_pattern ~ "')") }} as word
    from texts_unioned

),

words_counted as (

    select
        table_name,
        dataset,
        locale,
        word,
        count(*) as n_occurrences
    from words
    group by table_name, dataset, locale, word

),

words_ranked as (

    select
        table_name,
        dataset,
        locale,
        word,
        n_occurrences,
        cast(n_occurrences as double)
        / sum(n_occurrences) over (partition by table_name, dataset, locale) as share_of_words,
        row_number() over (
            partition by table_name, dataset, locale
            order by n_occurrences desc, word asc
        ) as word_rank
    from words_counted

),

final as (

    select
        table_name,
        dataset,
        locale,
        word_rank,
        word,
        n_occurrences,
        share_of_words
    from words_ranked
    where word_rank <= {{ top_n }}

)

select * from final
