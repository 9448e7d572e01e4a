-- The file name gives split and language; dialogue_idx repeats across the language files,
-- so the key includes the locale.
with

source as (

    select * from {{ source('woz2', 'dialogues') }}

),

renamed as (

    select
        'woz2' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast(dialogue_idx as varchar) as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        _locale as locale,
        {{ list_of(["'restaurant'"]) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
