-- Each dialogue intent example with its ids (turn_id:label; the turn's as in turns) and the
-- kept turns before it as context, sliced from its dialogue's turns (stored once, in
-- dialogue_turn_lists): a view, so neither is stored again for every example.
with

examples as (

    select * from {{ ref('dialogue_intent_example_positions') }}

),

dialogue_turn_lists as (

    select * from {{ ref('dialogue_turn_lists') }}

),

with_preceding_turns as (

    select
        examples.*,
        {{ list_slice('dialogue_turn_lists.turns', 1, 'examples.turn_index') }} as preceding_turns
    from examples
    inner join dialogue_turn_lists
        on examples.dialogue_id = dialogue_turn_lists.dialogue_id

),

final as (

    select
        {{ turn_id('dialogue_id', 'source_turn_index') }} || ':' || label as example_id,
        {{ turn_id('dialogue_id', 'source_turn_index') }} as turn_id,
        dialogue_id,
        dataset,
        split,
        locale,
        language,
        turn_index,
        text,
        label,
        services,
        n_turn_intents,
        intent_position,
        {{ list_struct_fields('preceding_turns', ['speaker', 'text']) }} as context_turns,
        {{ speaker_tagged_lines('preceding_turns') }} as context_text,
        cast({{ list_length('preceding_turns') }} as integer) as n_context_turns,
        n_chars,
        n_words
    from with_preceding_turns

)

select * from final
