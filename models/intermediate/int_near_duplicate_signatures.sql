-- One row per normal form met since the staged datasets were last staged afresh: a number of
-- its own (text_id, kept while the row is), its word n-gram hashes and their count, and the
-- build that added it. All of it depends on the normal form alone (and the near-duplicate
-- vars), so it is kept between builds in `staged` (macros/restaging.sql): a build adds only
-- the normal forms no earlier build met, and computes the LSH bands and near pairs of those
-- alone (int_near_duplicate_bands, int_near_duplicate_text_pairs). A normal form no longer
-- held by any record stays until the next full refresh; the stages after this one join the
-- texts of this build.
{%- set settings = near_duplicate_vars() %}
with

texts as (

    select * from {{ ref('int_near_duplicate_texts') }}

),

new_texts as (

    select
        texts.text_key,
        texts.normal_form
    from texts
    {%- if is_incremental() %}
    left join {{ this }} as kept
        on texts.text_key = kept.text_key
    where kept.text_key is null
    {%- endif %}

),

split_into_words as (

    select
        *,
        {{ split_text('normal_form', "' '") }} as words
    from new_texts

),

shingled as (

    select
        -- New numbers follow the kept ones; in normal-form order, so a first build numbers
        -- the texts as int_near_duplicate_texts does.
        cast(
            {%- if is_incremental() %}
            (select coalesce(max(text_id), 0) from {{ this }}) +
            {%- endif %}
            row_number() over (order by normal_form) as integer
        ) as text_id,
        text_key,
        {{ word_ngram_hashes('words', settings.ngram_size) }} as shingle_hashes
    from split_into_words

),

final as (

    select
        text_id,
        text_key,
        shingle_hashes,
        cast({{ list_length('shingle_hashes') }} as integer) as n_ngrams,
        '{{ invocation_id }}' as added_by
    from shingled

)

select * from final
