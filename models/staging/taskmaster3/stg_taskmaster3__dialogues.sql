-- A dialog's split is the split folder of the TSV rows (splits/{train,dev,test}/*.tsv) that
-- name it: looking that assignment up is the one join this model does. A dialog named in
-- exactly one split takes it ('official'); a dialog named in none or in several gets the
-- derived split ('derived'), with the splits that name it, if any, '|'-joined in
-- upstream_split, so the gap or conflict stays visible (a warn test counts them). The domain
-- is the dialog's vertical (none where it is null).
{{ taskmaster_dialogues(
    'taskmaster3',
    source('taskmaster3', 'dialogues'),
    service='vertical',
    split_lists_relation=source('taskmaster3', 'split_rows'),
) }}
