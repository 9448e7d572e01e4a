-- Per dataset: raw records = staged records = kept + rejected records (dialogues, or intent
-- examples), and for dialogue datasets staged utterances = turns + rejected utterances.
-- Where upstream stores one record per message (MSR-E2E, raw table `messages`), raw records
-- are compared with staged utterances instead. The data test raw_records_reconcile fails on
-- any gap.
with

files as (

    select * from {{ ref('stg_ingest__files') }}

),

staged_dialogues as (

    select * from {{ ref('int_dialogues_screened') }}

),

staged_utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

staged_intent_examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

dialogues as (

    select * from {{ ref('dialogue_turn_lists') }}

),

turns as (

    select * from {{ ref('turns') }}

),

intent_examples as (

    select * from {{ ref('intent_examples') }}

),

rejected as (

    select * from {{ ref('rejected_records') }}

),

raw_counts as (

    select
        dataset,
        case
            when bool_or(table_name = 'messages') then 'message'
            when bool_or(table_name = 'examples') then 'example'
            else 'dialogue'
        end as raw_grain,
        cast(sum(records) as bigint) as n_raw_records
    from files
    where table_name in ('dialogues', 'examples', 'messages')
    group by dataset

),

staged_counts as (

    select
        dataset,
        count(*) as n_staged_records
    from staged_dialogues
    group by dataset
    union all
    select
        dataset,
        count(*) as n_staged_records
    from staged_intent_examples
    group by dataset

),

kept_counts as (

    select
        dataset,
        count(*) as n_kept_records
    from dialogues
    group by dataset
    union all
    select
        dataset,
        count(*) as n_kept_records
    from intent_examples
    group by dataset

),

staged_utterance_counts as (

    select
        dataset,
        count(*) as n_staged_utterances
    from staged_utterances
    group by dataset

),

turn_counts as (

    select
        dataset,
        count(*) as n_kept_utterances
    from turns
    group by dataset

),

rejected_counts as (

    select
        dataset,
        count(*) filter (where record_level in ('dialogue', 'intent_example')) as n_rejected_records,
        count(*) filter (where record_level = 'utterance') as n_rejected_utterances
    from rejected
    group by dataset

),

final as (

    select
        raw_counts.dataset,
        raw_counts.raw_grain,
        raw_counts.n_raw_records,
        coalesce(staged_counts.n_staged_records, 0) as n_staged_records,
        coalesce(kept_counts.n_kept_records, 0) as n_kept_records,
        coalesce(rejected_counts.n_rejected_records, 0) as n_rejected_records,
        coalesce(staged_utterance_counts.n_staged_utterances, 0) as n_staged_utterances,
        coalesce(turn_counts.n_kept_utterances, 0) as n_kept_utterances,
        coalesce(rejected_counts.n_rejected_utterances, 0) as n_rejected_utterances
    from raw_counts
    left join staged_counts on raw_counts.dataset = staged_counts.dataset
    left join kept_counts on raw_counts.dataset = kept_counts.dataset
    left join staged_utterance_counts on raw_counts.dataset = staged_utterance_counts.dataset
    left join turn_counts on raw_counts.dataset = turn_counts.dataset
    left join rejected_counts on raw_counts.dataset = rejected_counts.dataset

)

select * from final
