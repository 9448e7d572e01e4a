-- The file (train.csv, test.csv) is the split; upstream has no validation split and no ids,
-- so an example's id is its file and row position.
{{ staged_examples(
    'banking77',
    source('banking77', 'examples'),
    source_example_id="_source_path || '#' || cast(_record_index as string)",
    raw_text='text',
    label='category',
) }}
