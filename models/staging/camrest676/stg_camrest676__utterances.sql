-- Each upstream turn holds a user utterance and the system reply that follows it:
-- the user's is utterance 2t, the system's 2t + 1.
{{ paired_turn_utterances(
    'camrest676',
    source('camrest676', 'dialogues'),
    list_column='dial',
    halves=[
        {'upstream_speaker': 'usr', 'speaker': 'user', 'raw_text': 'turn.usr.transcript'},
        {'upstream_speaker': 'sys', 'speaker': 'system', 'raw_text': 'turn.sys.sent'},
    ],
) }}
