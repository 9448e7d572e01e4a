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

split_assigned as (

    select
        *,
        case
            when _record_index < n_dialogues_in_file - 2 * round(n_dialogues_in_file / 5) then 'train'
            when _record_index < n_dialogues_in_file - round(n_dialogues_in_file / 5) then 'validation'
            else 'test'
        end as file_order_split
    from counted

),

{{ renamed_and_keyed(
    renamed_dialogues(
        'camrest676',
        'split_assigned',
        source_dialogue_id='dialogue_id',
        services=list_of(["'restaurant'"]),
        split='file_order_split',
        split_source="'derived'",
    ),
    'dialogue',
) }}
