-- The raw table holds one row per MESSAGE; a dialogue is every row of one session.ID in one
-- domain file (sessions restart at 1 in each file). A documented exception to "staging does
-- not aggregate": each session is represented by its first row in the file, so a dialogue's
-- (source_path, record_index) is that row's, and stg_msre2e__utterances carries the same pair.
-- The domain is the file name (movie, restaurant, taxi).
with

source as (

    select * from {{ source('msre2e', 'messages') }}

),

sessions as (

    select
        _source_path,
        _upstream_split,
        _locale,
        _record_index,
        session_id,
        regexp_extract(_source_path, '([^/]+)_all\.tsv$', 1) as domain
    from source
    qualify row_number() over (
        partition by _source_path, session_id
        order by _record_index
    ) = 1

),

{{ renamed_and_keyed(
    renamed_dialogues(
        'msre2e',
        'sessions',
        source_dialogue_id="domain || ':' || cast(session_id as string)",
        services=list_of(['domain']),
        derived_split_key="'msre2e:' || domain || ':' || cast(session_id as string)",
    ),
    'dialogue',
) }}
