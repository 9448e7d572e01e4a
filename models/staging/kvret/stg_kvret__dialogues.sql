-- KVRET dialogues have no id of their own: scenario.uuid is one per dialogue (unique
-- within each file, checked on dev and test), and the task intent is the dialogue's domain.
{{ staged_dialogues(
    'kvret',
    source('kvret', 'dialogues'),
    source_dialogue_id='scenario.uuid',
    services=list_of(['scenario.task.intent']),
) }}
