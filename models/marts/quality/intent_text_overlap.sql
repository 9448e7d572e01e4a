-- Per dataset, split and locale: duplicate texts within the split and texts shared with the
-- train split (compared lower-cased, after the usual cleaning).
with

examples as (

    select * from {{ ref('intent_examples') }}

),

compared as (

    select
        dataset,
        split,
        locale,
        {{ comparison_text('text') }} as comparison_text
    from examples

),

train_texts as (

    select distinct
        dataset,
        locale,
        comparison_text
    from compared
    where split = 'train'

),

flagged as (

    select
        compared.*,
        compared.split != 'train' and train_texts.comparison_text is not null as is_shared_with_train
    from compared
    left join train_texts
        on
            compared.dataset = train_texts.dataset
            and compared.locale = train_texts.locale
            and compared.comparison_text = train_texts.comparison_text

),

measured as (

    select
        dataset,
        split,
        locale,
        count(*) as n_examples,
        count(distinct {{ text_key('comparison_text') }}) as n_distinct_texts,
        count(*) - count(distinct {{ text_key('comparison_text') }}) as n_duplicate_examples,
        count(*) filter (where is_shared_with_train) as n_shared_with_train
    from flagged
    group by dataset, split, locale

),

final as (

    select
        *,
        n_duplicate_examples / cast(n_examples as double) as duplicate_share,
        n_shared_with_train / cast(n_examples as double) as train_overlap_share
    from measured

)

select * from final
