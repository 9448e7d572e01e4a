-- TM-2 has no upstream split: derived from the conversation id (macro derived_split). The
-- domain is the upstream file's name (data/flights.json -> flights).
{{ staged_dialogues(
    'taskmaster2',
    source('taskmaster2', 'dialogues'),
    source_dialogue_id='conversation_id',
    services=list_of(["regexp_extract(_source_path, '([^/]+)\\.json$', 1)"]),
    derived_split_key="'taskmaster2:' || conversation_id",
) }}
