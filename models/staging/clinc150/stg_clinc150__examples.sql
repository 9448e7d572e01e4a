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

{{ renamed_and_keyed(
    renamed_examples(
        'clinc150',
        'positioned',
        source_example_id="section || '#' || cast(section_position as string)",
        upstream_split='section',
        official_split="regexp_replace(section, '^oos_', '')",
        raw_text='text',
        label='intent',
        is_out_of_scope="left(section, 4) = 'oos_'",
    ),
    'example',
) }}
