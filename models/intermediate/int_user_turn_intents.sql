-- Every upstream user turn of the intent-annotated dialogue datasets with its distinct active
-- intents and the outcome for dialogue_intent_examples (grain: one upstream user turn).
with

frames as (

    select * from {{ ref('int_frames_unioned') }}

),

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

user_frames as (

    select * from frames
    where upstream_speaker = 'USER'

),

active_intents as (

    select
        dialogue_id,
        source_turn_index,
        active_intent as intent,
        min(frame_index) as first_frame_index,
        {{ ordered_list_agg('service', 'service', distinct=true) }} as services
    from user_frames
    where active_intent is not null and active_intent != 'NONE'
    group by dialogue_id, source_turn_index, active_intent

),

turn_intents as (

    select
        dialogue_id,
        source_turn_index,
        {{ ordered_list_agg(struct_of({'intent': 'intent', 'services': 'services'}), 'first_frame_index') }}
            as intents
    from active_intents
    group by dialogue_id, source_turn_index

),

user_utterances as (

    select
        dialogue_id,
        dataset,
        split,
        locale,
        source_turn_index,
        rejection_reason
    from utterances
    where
        speaker = 'user'
        and dataset in (select frames.dataset from frames)

),

classified as (

    select
        user_utterances.dialogue_id,
        user_utterances.dataset,
        user_utterances.split,
        user_utterances.locale,
        user_utterances.source_turn_index,
        user_utterances.rejection_reason,
        coalesce(turn_intents.intents, {{ list_of([]) }}) as intents,
        case
            when user_utterances.rejection_reason is not null then 'utterance_rejected'
            when turn_intents.intents is null then 'no_active_intent'
            when {{ list_length('turn_intents.intents') }} = 1 then 'single_intent'
            else 'several_intents'
        end as outcome
    from user_utterances
    left join turn_intents
        on
            user_utterances.dialogue_id = turn_intents.dialogue_id
            and user_utterances.source_turn_index = turn_intents.source_turn_index

)

select * from classified
