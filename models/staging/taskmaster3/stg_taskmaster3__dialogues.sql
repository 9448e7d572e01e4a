-- A dialog's split is the split folder of the TSV rows (splits/{train,dev,test}/*.tsv) that
-- name it: looking that assignment up is the one join this model does. A dialog named in
-- exactly one split takes it ('official'); a dialog named in none or in several gets the
-- derived split ('derived'), with the splits that name it, if any, '|'-joined in
-- upstream_split, so the gap or conflict stays visible (a warn test counts them).
with

dialogues as (

    select * from {{ source('taskmaster3', 'dialogues') }}

),

split_rows as (

    select * from {{ source('taskmaster3', 'split_rows') }}

),

split_folders_per_id as (

    select
        conversation_id,
        {{ ordered_string_agg('_upstream_split', "'|'", '_upstream_split', distinct=true) }} as listed_splits,
        count(distinct _upstream_split) as n_splits
    from split_rows
    group by conversation_id

),

dialogues_with_splits as (

    select
        dialogues.*,
        split_folders_per_id.listed_splits,
        coalesce(split_folders_per_id.n_splits, 0) as n_splits
    from dialogues
    left join split_folders_per_id
        on dialogues.conversation_id = split_folders_per_id.conversation_id

),

renamed as (

    select
        'taskmaster3' as dataset,
        _source_path as source_path,
        _record_index as record_index,
        conversation_id as source_dialogue_id,
        listed_splits as upstream_split,
        case
            when n_splits = 1 then {{ normalise_split('listed_splits') }}
            else {{ derived_split("'taskmaster3:' || conversation_id") }}
        end as split,
        case when n_splits = 1 then 'official' else 'derived' end as split_source,
        _locale as locale,
        case
            when vertical is null then {{ empty_string_list() }}
            else {{ list_of(['vertical']) }}
        end as services
    from dialogues_with_splits

),

keyed as (
    {{ keyed_dialogues('renamed') }}
)

select * from keyed
