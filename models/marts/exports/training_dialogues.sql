-- The decontaminated pre-training dialogues, rebuilt from training_turns. A view: the export
-- reads it once.
with

dialogues as (

    select * from {{ ref('dialogues') }}

),

training_turns as (

    select * from {{ ref('training_turns') }}

),

turns_aggregated as (

    select
        dialogue_id,
        count(*) as n_turns,
        sum(n_words) as n_words,
        {{ ordered_list_agg(
            struct_of({'turn_index': 'turn_index', 'speaker': 'speaker', 'text': 'text'}),
            'turn_index',
        ) }} as turns,
        {{ ordered_string_agg("speaker || ': ' || text", 'chr(10)', 'turn_index') }} as dialogue_text
    from training_turns
    group by dialogue_id

),

final as (

    select
        dialogues.dialogue_id,
        dialogues.dataset,
        dialogues.split,
        dialogues.split_source,
        dialogues.locale,
        dialogues.language,
        dialogues.source_dialogue_id,
        dialogues.services,
        cast(turns_aggregated.n_turns as integer) as n_turns,
        cast(dialogues.n_turns - turns_aggregated.n_turns as integer) as n_turns_removed,
        cast(turns_aggregated.n_words as integer) as n_words,
        turns_aggregated.turns,
        turns_aggregated.dialogue_text
    from dialogues
    inner join turns_aggregated
        on dialogues.dialogue_id = turns_aggregated.dialogue_id

)

select * from final
