-- Frames has no upstream split (its authors cross-validate over 10 folds of users): the split
-- is derived from the dialogue id like every corpus without one. All dialogues are travel
-- bookings (flights and hotels).
with

source as (

    select * from {{ source('frames', 'dialogues') }}

),

renamed as (

    select
        'frames' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        id as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ derived_split("'frames:' || id") }} as split,
        'derived' as split_source,
        _locale as locale,
        {{ list_of(["'travel'"]) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
