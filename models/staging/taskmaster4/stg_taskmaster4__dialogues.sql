-- TM-4 has no upstream split: derived from the conversation id (macro derived_split). Every
-- dialog's vertical is "Coffee".
with

source as (

    select * from {{ source('taskmaster4', 'dialogues') }}

),

renamed as (

    select
        'taskmaster4' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        conversation_id as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ derived_split("'taskmaster4:' || conversation_id") }} as split,
        'derived' as split_source,
        _locale as locale,
        {{ list_of(['vertical']) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
