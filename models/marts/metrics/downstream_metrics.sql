-- Quality metrics of the downstream evaluation data per table (intent_examples,
-- dialogue_intent_examples), dataset, split and locale: how many examples and labels, how
-- balanced the labels are and how long the texts are in words.
with

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

dialogue_intent_examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

datasets as (

    select * from {{ ref('datasets') }}

),

rejected_records as (

    select * from {{ ref('rejected_records') }}

),

label_distribution as (

    select * from {{ ref('downstream_label_distribution') }}

),

examples_unioned as (

    select
        'intent_examples' as table_name,
        dataset,
        split,
        split_source,
        locale,
        language,
        label,
        text,
        n_words,
        is_out_of_scope
    from intent_examples

    union all

    select
        'dialogue_intent_examples' as table_name,
        dialogue_intent_examples.dataset,
        dialogue_intent_examples.split,
        datasets.split_source,
        dialogue_intent_examples.locale,
        dialogue_intent_examples.language,
        dialogue_intent_examples.label,
        dialogue_intent_examples.text,
        dialogue_intent_examples.n_words,
        false as is_out_of_scope
    from dialogue_intent_examples
    left join datasets
        on dialogue_intent_examples.dataset = datasets.dataset

),

-- The examples per label, as downstream_label_distribution counts them.
label_balance as (

    select
        table_name,
        dataset,
        split,
        locale,
        min(n_examples) as min_examples_per_label,
        median(n_examples) as median_examples_per_label,
        max(n_examples) as max_examples_per_label
    from label_distribution
    group by table_name, dataset, split, locale

),

examples_measured as (

    select
        table_name,
        dataset,
        split,
        locale,
        min(language) as language,
        {{ combined_split_source() }} as split_source,
        count(*) as n_examples,
        count(distinct label) as n_labels,
        count(*) filter (where is_out_of_scope) as n_out_of_scope_examples,
        count(distinct {{ text_key('text') }}) as n_distinct_texts,
        {{ length_statistics('n_words', 'words_per_example') }}
    from examples_unioned
    group by table_name, dataset, split, locale

),

rejections as (

    select
        dataset,
        split,
        locale,
        count(*) as n_rejected_examples
    from rejected_records
    where record_level = 'intent_example'
    group by dataset, split, locale

),

final as (

    select
        examples_measured.table_name,
        examples_measured.dataset,
        examples_measured.split,
        examples_measured.split_source,
        examples_measured.locale,
        examples_measured.language,
        examples_measured.n_examples,
        examples_measured.n_labels,
        examples_measured.n_out_of_scope_examples,
        examples_measured.n_distinct_texts,
        label_balance.min_examples_per_label,
        label_balance.median_examples_per_label,
        label_balance.max_examples_per_label,
        examples_measured.mean_words_per_example,
        examples_measured.median_words_per_example,
        examples_measured.p95_words_per_example,
        examples_measured.max_words_per_example,
        case
            when examples_measured.table_name = 'intent_examples'
                then coalesce(rejections.n_rejected_examples, 0)
        end as n_rejected_examples
    from examples_measured
    inner join label_balance
        on {{ key_columns_equal('examples_measured', 'label_balance', ['table_name', 'dataset', 'split', 'locale']) }}
    left join rejections
        on {{ key_columns_equal('examples_measured', 'rejections', ['dataset', 'split', 'locale']) }}

)

select * from final
