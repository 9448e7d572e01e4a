-- KFold_1 as DialoGLUE reads it: trainset/ is train, testset/csv/ is test (the file's upstream
-- split). The text is answer_from_anno (the annotated answer without its brackets), the field
-- DialoGLUE uses. upstream answerid is not unique (`null` on some rows, the same id reused in
-- files of different labels), so an example's id is its file and row position.
with

source as (

    select * from {{ source('hwu64', 'examples') }}

),

renamed as (

    select
        'hwu64' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        _source_path || '#' || cast(_record_index as varchar) as source_example_id,
        _upstream_split as upstream_split,
        {{ normalise_split('_upstream_split') }} as split,
        'official' as split_source,
        _locale as locale,
        answer_from_anno as raw_text,
        {{ clean_text('answer_from_anno') }} as text,
        cast(null as varchar) as english_text,
        scenario || '_' || intent as label,
        scenario,
        false as is_out_of_scope
    from source

),

keyed as (
    {{ keyed_examples('renamed') }}
)

select * from keyed
