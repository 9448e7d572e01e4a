-- Every record carries its locale and its partition (train/dev/test); the same `id` in
-- several locales is one utterance translated, so the key includes the locale.
with

source as (

    select * from {{ source('massive', 'examples') }}

),

renamed as (

    select
        'massive' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast(id as varchar) as source_example_id,
        partition as upstream_split,
        {{ normalise_split('partition') }} as split,
        'official' as split_source,
        locale,
        utt as raw_text,
        {{ clean_text('utt') }} as text,
        cast(null as varchar) as english_text,
        intent as label,
        scenario,
        false as is_out_of_scope
    from source

),

keyed as (
    {{ keyed_examples('renamed') }}
)

select * from keyed
