-- MInDS-14 has no upstream split: macro derived_split on the audio path (the registry's
-- rule), so an example's split never depends on what else was ingested.
with

source as (

    select * from {{ source('minds14', 'examples') }}

),

renamed as (

    select
        'minds14' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast(path as varchar) as source_example_id,
        cast(null as varchar) as upstream_split,
        {{ derived_split('path') }} as split,
        'derived' as split_source,
        locale,
        transcription as raw_text,
        {{ clean_text('transcription') }} as text,
        english_transcription as english_text,
        intent as label,
        cast(null as varchar) as scenario,
        false as is_out_of_scope
    from source

),

keyed as (
    {{ keyed_examples('renamed') }}
)

select * from keyed
