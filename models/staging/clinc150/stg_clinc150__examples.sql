-- The section of data_full.json (its top-level key) is the split; each oos_<split> section holds
-- the out-of-scope examples (label oos) of <split>. Upstream has no ids, so an example's id is
-- its section and its 0-based position within that section, counted in file order.
with

source as (

    select * from {{ source('clinc150', 'examples') }}

),

positioned as (

    select
        *,
        row_number() over (
            partition by _source_path, section
            order by _record_index
        ) - 1 as section_position
    from source

),

renamed as (

    select
        'clinc150' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        section || '#' || cast(section_position as varchar) as source_example_id,
        section as upstream_split,
        {{ normalise_split("regexp_replace(section, '^oos_', '')") }} as split,
        'official' as split_source,
        _locale as locale,
        text as raw_text,
        {{ clean_text('text') }} as text,
        cast(null as varchar) as english_text,
        intent as label,
        cast(null as varchar) as scenario,
        starts_with(section, 'oos_') as is_out_of_scope
    from positioned

),

keyed as (
    {{ keyed_examples('renamed') }}
)

select * from keyed
