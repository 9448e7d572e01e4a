-- TM-4 has no upstream split: derived from the conversation id (macro derived_split). Every
-- dialog's vertical is "Coffee".
{{ taskmaster_dialogues(
    'taskmaster4',
    source('taskmaster4', 'dialogues'),
    service='vertical',
) }}
