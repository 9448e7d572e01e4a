-- Every element of `turns` is one utterance, in upstream order. Authors are not assumed to
-- alternate: consecutive turns of one author are kept as they are.
{{ listed_turn_utterances(
    'frames',
    source('frames', 'dialogues'),
    list_column='turns',
    upstream_speaker='turn.author',
    speakers={'user': 'user', 'wizard': 'system'},
    raw_text='turn.text',
) }}
