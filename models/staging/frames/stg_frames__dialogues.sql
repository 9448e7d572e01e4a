-- Frames has no upstream split (its authors cross-validate over 10 folds of users): the split
-- is derived from the dialogue id like every corpus without one. All dialogues are travel
-- bookings (flights and hotels).
{{ staged_dialogues(
    'frames',
    source('frames', 'dialogues'),
    source_dialogue_id='id',
    services=list_of(["'travel'"]),
    derived_split_key="'frames:' || id",
) }}
