with

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

dialogues as (

    select * from {{ ref('int_dialogues_screened') }}

),

intent_examples as (

    select * from {{ ref('int_intent_examples_screened') }}

),

rejected_utterances as (

    select
        'utterance' as record_level,
        dataset,
        split,
        locale,
        dialogue_id as record_id,
        source_dialogue_id as source_record_id,
        source_path,
        source_turn_index,
        upstream_speaker,
        raw_text,
        rejection_reason
    from utterances
    where rejection_reason is not null

),

rejected_dialogues as (

    select
        'dialogue' as record_level,
        dataset,
        split,
        locale,
        dialogue_id as record_id,
        source_dialogue_id as source_record_id,
        source_path,
        cast(null as bigint) as source_turn_index,
        cast(null as string) as upstream_speaker,
        cast(null as string) as raw_text,
        rejection_reason
    from dialogues
    where rejection_reason is not null

),

rejected_intent_examples as (

    select
        'intent_example' as record_level,
        dataset,
        split,
        locale,
        example_id as record_id,
        source_example_id as source_record_id,
        source_path,
        cast(null as bigint) as source_turn_index,
        cast(null as string) as upstream_speaker,
        raw_text,
        rejection_reason
    from intent_examples
    where rejection_reason is not null

),

unioned as (

    select * from rejected_utterances
    union all
    select * from rejected_dialogues
    union all
    select * from rejected_intent_examples

),

final as (

    select
        record_level || ':' || record_id
        || coalesce(':' || cast(source_turn_index as string), '') as rejected_record_id,
        *
    from unioned

)

select * from final
