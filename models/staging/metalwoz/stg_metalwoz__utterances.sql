-- `turns` is a bare list of strings: upstream names no speaker, the position does. The bot
-- opens (even positions) and the user answers (odd positions). The bot's opening greeting
-- ("Hello how may I help you?") is an utterance upstream and is kept (ConvLab-3 drops it).
{{ listed_turn_utterances(
    'metalwoz',
    source('metalwoz', 'dialogues'),
    list_column='turns',
    upstream_speaker="case when source_turn_index % 2 = 0 then 'bot' else 'user' end",
    speakers={'bot': 'system', 'user': 'user'},
    raw_text='turn',
) }}
