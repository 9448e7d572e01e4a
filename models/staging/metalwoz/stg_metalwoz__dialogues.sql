-- The zip is the split (metalwoz-v1.zip train, the held-out metalwoz-test-v1.zip test);
-- each dialogue belongs to one domain, its `domain` field.
{{ staged_dialogues(
    'metalwoz',
    source('metalwoz', 'dialogues'),
    source_dialogue_id='id',
    services=list_of(['domain']),
) }}
