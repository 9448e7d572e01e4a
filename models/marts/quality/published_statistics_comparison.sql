-- Published dialogue and utterance counts next to the counts measured on the ingested raw
-- data (kept and rejected records together), for every dataset that has been ingested.
with

published as (

    select * from {{ ref('published_statistics') }}

),

files as (

    select * from {{ ref('stg_ingest__files') }}

),

dialogues as (

    select * from {{ ref('int_dialogues_screened') }}

),

intent_examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

-- A published figure counts its dataset's records of its split, locale and upstream file
-- ('all' matches any).
dialogue_measures as (

    select
        published.dataset,
        published.split,
        published.locale,
        published.source_path,
        published.statistic,
        case published.statistic
            when 'dialogues' then count(dialogues.dialogue_id)
            when 'utterances' then coalesce(sum(dialogues.n_upstream_utterances), 0)
        end as measured_value
    from published
    left join dialogues
        on
            published.dataset = dialogues.dataset
            and (published.split = 'all' or published.split = dialogues.split)
            and (published.locale = 'all' or published.locale = dialogues.locale)
            and (published.source_path = 'all' or published.source_path = dialogues.source_path)
    where published.statistic in ('dialogues', 'utterances')
    group by published.dataset, published.split, published.locale, published.source_path, published.statistic

),

intent_measures as (

    select
        published.dataset,
        published.split,
        published.locale,
        published.source_path,
        published.statistic,
        case published.statistic
            when 'examples' then count(intent_examples.example_id)
            when 'labels' then count(distinct intent_examples.label)
            when 'scenarios' then count(distinct intent_examples.scenario)
        end as measured_value
    from published
    left join intent_examples
        on
            published.dataset = intent_examples.dataset
            and (published.split = 'all' or published.split = intent_examples.split)
            and (published.locale = 'all' or published.locale = intent_examples.locale)
            and (published.source_path = 'all' or published.source_path = intent_examples.source_path)
    where published.statistic in ('examples', 'labels', 'scenarios')
    group by published.dataset, published.split, published.locale, published.source_path, published.statistic

),

measured as (

    select * from dialogue_measures
    union all
    select * from intent_measures

),

-- The files a published figure depends on: its dataset, split and locale ('all' matches
-- any; a file without an upstream split feeds every split, a multilingual one every locale).
completeness as (

    select
        published.dataset,
        published.split,
        published.locale,
        published.source_path,
        published.statistic,
        count(files.source_path) as n_files,
        count(files.source_path) filter (where files.status = 'missing') as n_files_missing,
        count(files.source_path) filter (where not files.is_checksum_verified) as n_files_unverified
    from published
    inner join files
        on
            published.dataset = files.dataset
            and (published.split = 'all' or files.split is null or published.split = files.split)
            and (published.locale = 'all' or files.locale = 'mul' or published.locale = files.locale)
            and (published.source_path = 'all' or published.source_path = files.source_path)
    group by published.dataset, published.split, published.locale, published.source_path, published.statistic

),

compared as (

    select
        published.dataset,
        published.split,
        published.locale,
        published.source_path,
        published.statistic,
        published.published_value,
        cast(measured.measured_value as bigint) as measured_value,
        cast(measured.measured_value - published.published_value as bigint) as difference,
        measured.measured_value = published.published_value as is_reproduced,
        completeness.n_files_missing = 0 as is_source_complete,
        completeness.n_files_missing = 0 and completeness.n_files_unverified = 0 as is_source_verified,
        published.published_in
    from published
    inner join completeness
        on
            published.dataset = completeness.dataset
            and published.split = completeness.split
            and published.locale = completeness.locale
            and published.source_path = completeness.source_path
            and published.statistic = completeness.statistic
    inner join measured
        on
            published.dataset = measured.dataset
            and published.split = measured.split
            and published.locale = measured.locale
            and published.source_path = measured.source_path
            and published.statistic = measured.statistic

)

select * from compared
