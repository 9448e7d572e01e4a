-- CamRest676 has no upstream split: 3:1:1 in file order (NNDIAL's loader; ConvLab's 406/135/135).
with

source as (

    select * from {{ source('camrest676', 'dialogues') }}

),

counted as (

    select
        *,
        count(*) over (partition by _source_path) as n_dialogues_in_file
    from source

),

renamed as (

    select
        'camrest676' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        cast(dialogue_id as varchar) as source_dialogue_id,
        _upstream_split as upstream_split,
        case
            when _record_index < n_dialogues_in_file - 2 * round(n_dialogues_in_file / 5) then 'train'
            when _record_index < n_dialogues_in_file - round(n_dialogues_in_file / 5) then 'validation'
            else 'test'
        end as split,
        'derived' as split_source,
        _locale as locale,
        {{ list_of(["'restaurant'"]) }} as services
    from counted

),

keyed as (
    {{ keyed_dialogues('renamed') }}
)

select * from keyed
