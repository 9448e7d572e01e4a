-- Unnesting a list of structs and reading their fields, as the staging models do.
with

dialogues as (

    select
        'd1' as dialogue_id,
        {{ list_of([
            struct_of({'speaker': "'USER'", 'utterance': "'hi'"}),
            struct_of({'speaker': "'SYSTEM'", 'utterance': "'hello'"}),
        ]) }} as turns

),

turns as (

    select
        dialogue_id,
        {{ unnest_with_position('turns', 'turn', 'turn_position') }}
    from dialogues

)

select dialogue_id, turn_position, turn.speaker as speaker, turn.utterance as utterance
from turns
order by turn_position
