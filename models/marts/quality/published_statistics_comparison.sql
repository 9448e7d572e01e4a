-- Published dialogue and utterance counts next to the counts measured on the ingested raw
-- data (kept and rejected records together), for every dataset that has been ingested.
{%- set published_key = ['dataset', 'split', 'locale', 'source_path', 'statistic'] %}
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
-- ('all' matches any): dialogue figures the screened dialogues, intent figures the screened
-- intent examples.
{%- set measures = [
    ('dialogues', {
        'dialogues': 'count(dialogues.dialogue_id)',
        'utterances': 'coalesce(sum(dialogues.n_upstream_utterances), 0)',
    }),
    ('intent_examples', {
        'examples': 'count(intent_examples.example_id)',
        'labels': 'count(distinct intent_examples.label)',
        'scenarios': 'count(distinct intent_examples.scenario)',
    }),
] %}
{% for records, statistics in measures %}
    {{ records }}_measures as (

        select
            {{ key_columns('published', published_key) }},
            case published.statistic
                {%- for statistic, measure in statistics.items() %}
                    when '{{ statistic }}' then {{ measure }}
                {%- endfor %}
            end as measured_value
        from published
        left join {{ records }}
            on
                published.dataset = {{ records }}.dataset
                {%- for column in ['split', 'locale', 'source_path'] %}
                    and (
                        published.{{ column }} = 'all'
                        or published.{{ column }} = {{ records }}.{{ column }}
                    )
                {%- endfor %}
        where published.statistic in ({{ "'" ~ (statistics | join("', '")) ~ "'" }})
        group by
            {{ key_columns('published', published_key) }}

    ),

{% endfor %}
measured as (

    select * from dialogues_measures
    union all
    select * from intent_examples_measures

),

-- The files a published figure depends on: its dataset, split and locale ('all' matches
-- any; a file without an upstream split feeds every split, a multilingual one every locale).
completeness as (

    select
        {{ key_columns('published', published_key) }},
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
    group by {{ key_columns('published', published_key) }}

),

compared as (

    select
        {{ key_columns('published', published_key) }},
        published.published_value,
        cast(measured.measured_value as bigint) as measured_value,
        cast(measured.measured_value - published.published_value as bigint) as difference,
        measured.measured_value = published.published_value as is_reproduced,
        completeness.n_files_missing = 0 as is_source_complete,
        completeness.n_files_missing = 0 and completeness.n_files_unverified = 0 as is_source_verified,
        published.published_in
    from published
    inner join completeness
        on {{ key_columns_equal('published', 'completeness', published_key) }}
    inner join measured
        on {{ key_columns_equal('published', 'measured', published_key) }}

)

select * from compared
