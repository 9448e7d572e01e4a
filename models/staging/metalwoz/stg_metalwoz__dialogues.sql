-- The zip is the split (metalwoz-v1.zip train, the held-out metalwoz-test-v1.zip test);
-- each dialogue belongs to one domain, its `domain` field.
with

source as (

    select * from {{ source('metalwoz', 'dialogues') }}

),

renamed as (

    select
        'metalwoz' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        id as source_dialogue_id,
        _upstream_split as upstream_split,
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        _locale as locale,
        {{ list_of(['domain']) }} as services
    from source

),

keyed as (

    select
        {{ record_key('dataset', 'split', 'locale', 'source_dialogue_id') }} as dialogue_id,
        *
    from renamed

)

select * from keyed
