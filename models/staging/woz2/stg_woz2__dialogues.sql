-- The file name gives split and language; dialogue_idx repeats across the language files,
-- so the key includes the locale.
{{ staged_dialogues(
    'woz2',
    source('woz2', 'dialogues'),
    source_dialogue_id='dialogue_idx',
    services=list_of(["'restaurant'"]),
) }}
