-- Every element of `dialogue` is one utterance, in upstream order; consecutive turns of
-- the same speaker (repeated driver turns in dev and test) are kept as they are.
{{ listed_turn_utterances(
    'kvret',
    source('kvret', 'dialogues'),
    list_column='dialogue',
    upstream_speaker='turn.turn',
    speakers={'driver': 'user', 'assistant': 'system'},
    raw_text='turn.data.utterance',
) }}
