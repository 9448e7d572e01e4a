-- KFold_1 as DialoGLUE reads it: trainset/ is train, testset/csv/ is test (the file's upstream
-- split). The text is answer_from_anno (the annotated answer without its brackets), the field
-- DialoGLUE uses. upstream answerid is not unique (`null` on some rows, the same id reused in
-- files of different labels), so an example's id is its file and row position.
{{ staged_examples(
    'hwu64',
    source('hwu64', 'examples'),
    source_example_id="_source_path || '#' || cast(_record_index as string)",
    raw_text='answer_from_anno',
    label="scenario || '_' || intent",
    scenario='scenario',
) }}
