-- TM-2 has no upstream split: derived from the conversation id (macro derived_split). The
-- domain is the upstream file's name (data/flights.json -> flights).
with

source as (

    select * from {{ source('taskmaster2', 'dialogues') }}

),

renamed as (

    select
        'taskmaster2' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        conversation_id as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ derived_split("'taskmaster2:' || conversation_id") }} as split,
        'derived' as split_source,
        _locale as locale,
        {{ list_of(["regexp_extract(_source_path, '([^/]+)\\.json$', 1)"]) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
