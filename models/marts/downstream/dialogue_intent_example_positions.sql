-- The examples of dialogue_intent_examples without their context and ids: one row per active
-- intent of each kept user turn, with the turn's position in its dialogue. The context (the
-- turns before it) is already stored once, in dialogue_turn_lists.turns, and the ids are
-- functions of dialogue_id, source_turn_index and label; the dialogue_intent_examples view
-- derives them instead of storing a copy per example.
with

user_turns as (

    select * from {{ ref('int_user_turn_intents') }}

),

turns as (

    select * from {{ ref('turns') }}

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
        turns.dialogue_id,
        turns.source_turn_index,
        turns.dataset,
        turns.split,
        turns.locale,
        turns.language,
        turns.turn_index,
        turns.text,
        labels_unpacked.label,
        labels_unpacked.services,
        cast(labels_unpacked.n_turn_intents as integer) as n_turn_intents,
        cast(labels_unpacked.intent_position as integer) as intent_position,
        turns.n_chars,
        turns.n_words
    from labels_unpacked
    inner join turns
        on
            labels_unpacked.dialogue_id = turns.dialogue_id
            and labels_unpacked.source_turn_index = turns.source_turn_index

)

select * from final
