-- Each upstream turn holds the system utterance that precedes the user's, then the user's.
-- Turn 0's system_transcript is an empty placeholder (the user opens), not an utterance:
-- it is skipped there and only there; every other field, empty or not, is an utterance.
-- Utterances are numbered after the skip, so source_turn_index runs 0, 1, ... per dialogue
-- (2t - 1 for the system and 2t for the user when the placeholder was skipped).
{{ paired_turn_utterances(
    'woz2',
    source('woz2', 'dialogues'),
    list_column='dialogue',
    halves=[
        {
            'upstream_speaker': 'system_transcript',
            'speaker': 'system',
            'raw_text': 'turn.system_transcript',
            'skipped_where': "turn_position = 0 and coalesce(turn.system_transcript, '') = ''",
        },
        {'upstream_speaker': 'transcript', 'speaker': 'user', 'raw_text': 'turn.transcript'},
    ],
) }}
