-- TM-2 has no upstream split: derived from the conversation id (macro derived_split). The
-- domain is the upstream file's name (data/flights.json -> flights).
{{ taskmaster_dialogues(
    'taskmaster2',
    source('taskmaster2', 'dialogues'),
    service="regexp_extract(_source_path, '([^/]+)\\.json$', 1)",
) }}
