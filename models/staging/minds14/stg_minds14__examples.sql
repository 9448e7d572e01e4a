-- MInDS-14 has no upstream split: macro derived_split on the audio path (the registry's
-- rule), so an example's split never depends on what else was ingested.
{{ staged_examples(
    'minds14',
    source('minds14', 'examples'),
    source_example_id='path',
    upstream_split='cast(null as string)',
    derived_split_key='path',
    locale='locale',
    raw_text='transcription',
    english_text='english_transcription',
    label='intent',
) }}
