-- How the downstream examples spread over labels, per table, dataset, split and locale.
with

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

dialogue_intent_examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

examples_unioned as (

    select
        'intent_examples' as table_name,
        dataset,
        split,
        locale,
        label,
        scenario
    from intent_examples

    union all

    select
        'dialogue_intent_examples' as table_name,
        dataset,
        split,
        locale,
        label,
        cast(null as string) as scenario
    from dialogue_intent_examples

),

labels_counted as (

    select
        table_name,
        dataset,
        split,
        locale,
        label,
        min(scenario) as scenario,
        count(*) as n_examples
    from examples_unioned
    group by table_name, dataset, split, locale, label

),

final as (

    select
        *,
        cast(n_examples as double)
        / sum(n_examples) over (partition by table_name, dataset, split, locale) as share_of_examples
    from labels_counted

)

select * from final
