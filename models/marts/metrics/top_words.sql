-- The most frequent words of each dataset and locale: utterances of the pre-training corpus
-- (turns) and texts of the intent datasets (intent_examples). A word is a lower-cased run of
-- letters and digits (apostrophes inside kept); scripts written without spaces (zh, ja, th)
-- give runs of characters rather than words. Words are ranked twice: among all words, and
-- among the words that are not stop words of the locale's language (seed stop_words), so a
-- reader can leave out "the, is, you".
{%- set top_n = var('top_words_per_dataset', 50) %}
{%- set word_pattern = "[\\p{L}\\p{N}]+(?:['’][\\p{L}\\p{N}]+)*" %}
with

turns as (

    select * from {{ ref('turns') }}

),

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

stop_words as (

    select * from {{ ref('stop_words') }}

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
        {{ unnest_list("regexp_extract_all(lower(text), " ~ sql_string(word_pattern) ~ ", 0)") }} as word
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

words_flagged as (

    select
        words_counted.*,
        stop_words.word is not null as is_stop_word
    from words_counted
    left join stop_words
        on
            {{ language_of('words_counted.locale') }} = stop_words.language
            and words_counted.word = stop_words.word

),

words_ranked as (

    select
        table_name,
        dataset,
        locale,
        word,
        is_stop_word,
        n_occurrences,
        cast(n_occurrences as double)
        / sum(n_occurrences) over (partition by table_name, dataset, locale) as share_of_words,
        row_number() over (
            partition by table_name, dataset, locale
            order by n_occurrences desc, word asc
        ) as word_rank,
        case
            when not is_stop_word
                then row_number() over (
                    partition by table_name, dataset, locale, is_stop_word
                    order by n_occurrences desc, word asc
                )
        end as content_word_rank
    from words_flagged

),

final as (

    select
        table_name,
        dataset,
        locale,
        word_rank,
        content_word_rank,
        word,
        is_stop_word,
        n_occurrences,
        share_of_words
    from words_ranked
    where word_rank <= {{ top_n }} or content_word_rank <= {{ top_n }}

)

select * from final
