-- KVRET dialogues have no id of their own: scenario.uuid is one per dialogue (unique
-- within each file, checked on dev and test), and the task intent is the dialogue's domain.
with

source as (

    select * from {{ source('kvret', 'dialogues') }}

),

renamed as (

    select
        'kvret' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        scenario.uuid as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        _locale as locale,
        {{ list_of(['scenario.task.intent']) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
