with

user_turns as (

    select * from {{ ref('int_user_turn_intents') }}

),

turns as (

    select * from {{ ref('turns') }}

),

turns_with_context as (

    select
        *,
        coalesce(
            {{ windowed_list_agg(struct_of({'speaker': 'speaker', 'text': 'text'}), 'preceding_turns') }},
            {{ list_of([]) }}
        ) as context_turns,
        coalesce(
            {{ windowed_string_agg("speaker || ': ' || text", 'chr(10)', 'preceding_turns') }},
            ''
        ) as context_text
    from turns
    where dialogue_id in (select user_turns.dialogue_id from user_turns)
    window preceding_turns as (
        partition by dialogue_id
        order by turn_index
        rows between unbounded preceding and 1 preceding
    )

),

labelled_turns as (

    select
        user_turns.dialogue_id,
        user_turns.source_turn_index,
        {{ list_length('user_turns.intents') }} as n_turn_intents,
        {{ unnest_with_position('user_turns.intents', 'turn_intent', 'intent_position') }}
    from user_turns
    where user_turns.outcome in ('single_intent', 'several_intents')

),

labels_unpacked as (

    select
        dialogue_id,
        source_turn_index,
        n_turn_intents,
        intent_position,
        turn_intent.intent as label,
        turn_intent.services
    from labelled_turns

),

final as (

    select
        turns_with_context.turn_id || ':' || labels_unpacked.label as example_id,
        turns_with_context.turn_id,
        turns_with_context.dialogue_id,
        turns_with_context.dataset,
        turns_with_context.split,
        turns_with_context.locale,
        turns_with_context.language,
        turns_with_context.turn_index,
        turns_with_context.text,
        labels_unpacked.label,
        labels_unpacked.services,
        cast(labels_unpacked.n_turn_intents as integer) as n_turn_intents,
        cast(labels_unpacked.intent_position as integer) as intent_position,
        turns_with_context.context_turns,
        turns_with_context.context_text,
        cast({{ list_length('turns_with_context.context_turns') }} as integer) as n_context_turns,
        turns_with_context.n_chars,
        turns_with_context.n_words
    from labels_unpacked
    inner join turns_with_context
        on
            labels_unpacked.dialogue_id = turns_with_context.dialogue_id
            and labels_unpacked.source_turn_index = turns_with_context.source_turn_index

)

select * from final
