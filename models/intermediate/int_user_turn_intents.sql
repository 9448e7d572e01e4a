-- Every upstream user turn of the intent-annotated dialogue datasets with its distinct active
-- intents and the outcome for dialogue_intent_examples (grain: one upstream user turn).
with

utterances as (

    select * from {{ ref('int_utterances_screened') }}

),

user_utterances as (

    select
        *,
        {{ intents_with_services('intents', 'services', 'frame_intents') }} as active_intents
    from utterances
    where
        speaker = 'user'
        and dataset in (
            {%- for dataset in var('dialogue_intent_datasets') %}
                {{ sql_string(dataset) }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        )

),

classified as (

    select
        dialogue_id,
        dataset,
        split,
        locale,
        source_turn_index,
        rejection_reason,
        coalesce(active_intents, {{ list_of([]) }}) as intents,
        case
            when rejection_reason is not null then 'utterance_rejected'
            when active_intents is null or {{ list_length('active_intents') }} = 0
                then 'no_active_intent'
            when {{ list_length('active_intents') }} = 1 then 'single_intent'
            else 'several_intents'
        end as outcome
    from user_utterances

)

select * from classified
