-- The self-dialogs' split is the id list (train/dev/test.csv) that names the dialog: looking
-- that assignment up is the one join this model does. A dialog named by exactly one list takes
-- its split ('official'); the woz-dialogs, which no list names, and any dialog named by no
-- list or by several get the derived split ('derived'), with the lists that name it, if any,
-- '|'-joined in upstream_split, so a conflict stays visible. The domain is the prefix of
-- instruction_id ("restaurant-table-2" -> restaurant).
with

dialogues as (

    select * from {{ source('taskmaster1', 'dialogues') }}

),

split_ids as (

    select * from {{ source('taskmaster1', 'split_ids') }}

),

split_lists_per_id as (

    select
        conversation_id,
        {{ ordered_string_agg('_upstream_split', "'|'", '_upstream_split', distinct=true) }} as listed_splits,
        count(distinct _upstream_split) as n_lists
    from split_ids
    group by conversation_id

),

dialogues_with_lists as (

    select
        dialogues.*,
        split_lists_per_id.listed_splits,
        coalesce(split_lists_per_id.n_lists, 0) as n_lists
    from dialogues
    left join split_lists_per_id
        on dialogues.conversation_id = split_lists_per_id.conversation_id

),

renamed as (

    select
        'taskmaster1' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        conversation_id as source_dialogue_id,
        listed_splits as upstream_split,
        case
            when n_lists = 1 then {{ normalise_split('listed_splits') }}
            else {{ derived_split("'taskmaster1:' || conversation_id") }}
        end as split,
        case when n_lists = 1 then 'official' else 'derived' end as split_source,
        _locale as locale,
        case
            when instruction_id is null then {{ empty_string_list() }}
            else {{ list_of(["split_part(instruction_id, '-', 1)"]) }}
        end as services
    from dialogues_with_lists

),

keyed as (
    {{ keyed_dialogues('renamed') }}
)

select * from keyed
