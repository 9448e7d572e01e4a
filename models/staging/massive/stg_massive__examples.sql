-- Every record carries its locale and its partition (train/dev/test); the same `id` in
-- several locales is one utterance translated, so the key includes the locale.
{{ staged_examples(
    'massive',
    source('massive', 'examples'),
    source_example_id='id',
    upstream_split='partition',
    locale='locale',
    raw_text='utt',
    label='intent',
    scenario='scenario',
) }}
