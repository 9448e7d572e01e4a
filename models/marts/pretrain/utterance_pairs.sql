-- Each kept pair with its id (utterance_pair_id of its positions) and its anchor and positive
-- texts, taken from its dialogue's turns (stored once, in dialogue_turn_lists): a view, so
-- neither is stored again for every pair. A next_turn anchor is one turn; a context_response
-- anchor is the turns from anchor_turn_index to the one before the positive, as lines
-- `speaker: text` (turn_index is the 0-based list position).
with

pairs as (

    select * from {{ ref('utterance_pair_positions') }}

),

dialogue_turn_lists as (

    select * from {{ ref('dialogue_turn_lists') }}

),

with_texts as (

    select
        {{ utterance_pair_id(
            'pairs.pair_type', 'pairs.dialogue_id', 'pairs.anchor_turn_index', 'pairs.positive_turn_index'
        ) }} as pair_id,
        {{ utterance_pair_columns('pairs') }},
        case
            when pairs.pair_type = 'next_turn'
                then {{ list_element('dialogue_turn_lists.turns', 'pairs.anchor_turn_index + 1') }}.text
            else {{ speaker_tagged_lines(list_slice(
                'dialogue_turn_lists.turns', 'pairs.anchor_turn_index + 1', 'pairs.positive_turn_index'
            )) }}
        end as anchor_text,
        {{ list_element('dialogue_turn_lists.turns', 'pairs.positive_turn_index + 1') }}.text as positive_text,
        pairs.anchor_n_words,
        pairs.positive_n_words,
        pairs.context_size,
        pairs.training_exclusion
    from pairs
    inner join dialogue_turn_lists
        on pairs.dialogue_id = dialogue_turn_lists.dialogue_id

)

select * from with_texts
