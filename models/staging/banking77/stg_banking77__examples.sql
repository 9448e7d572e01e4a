-- The file (train.csv, test.csv) is the split; upstream has no validation split and no ids,
-- so an example's id is its file and row position.
with

source as (

    select * from {{ source('banking77', 'examples') }}

),

renamed as (

    select
        'banking77' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        _source_path || '#' || cast(_record_index as varchar) as source_example_id,
        _upstream_split as upstream_split,
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        _locale as locale,
        text as raw_text,
        {{ clean_text('text') }} as text,
        cast(null as varchar) as english_text,
        category as label,
        cast(null as varchar) as scenario,
        false as is_out_of_scope
    from source

),

keyed as (
    {{ keyed_examples('renamed') }}
)

select * from keyed
