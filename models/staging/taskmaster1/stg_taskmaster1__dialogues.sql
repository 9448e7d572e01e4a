-- The self-dialogs' split is the id list (train/dev/test.csv) that names the dialog: looking
-- that assignment up is the one join this model does. A dialog named by exactly one list takes
-- its split ('official'); the woz-dialogs, which no list names, and any dialog named by no
-- list or by several get the derived split ('derived'), with the lists that name it, if any,
-- '|'-joined in upstream_split, so a conflict stays visible. The domain is the prefix of
-- instruction_id ("restaurant-table-2" -> restaurant; none where instruction_id is null).
{{ taskmaster_dialogues(
    'taskmaster1',
    source('taskmaster1', 'dialogues'),
    service="split_part(instruction_id, '-', 1)",
    split_lists_relation=source('taskmaster1', 'split_ids'),
) }}
