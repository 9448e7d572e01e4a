-- TM-4 has no upstream split: derived from the conversation id (macro derived_split). Every
-- dialog's vertical is "Coffee".
{{ staged_dialogues(
    'taskmaster4',
    source('taskmaster4', 'dialogues'),
    source_dialogue_id='conversation_id',
    services=list_of(['vertical']),
    derived_split_key="'taskmaster4:' || conversation_id",
) }}
