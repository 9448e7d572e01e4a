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

renamed as (

    select
        'msre2e' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        domain || ':' || cast(session_id as varchar) as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ derived_split("'msre2e:' || domain || ':' || cast(session_id as varchar)") }} as split,
        'derived' as split_source,
        _locale as locale,
        {{ list_of(['domain']) }} as services
    from sessions

),

keyed as (
    {{ keyed_dialogues('renamed') }}
)

select * from keyed
