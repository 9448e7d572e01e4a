{{ config(severity='warn') }}
-- Reported, not failed: upstream files that drifted from their parser's schema, one row per
-- file and key (the schema_drift mart; unknown keys and values of another type are kept in
-- the raw table's `_extra` column). The build names a warned test's rows by their first text
-- values, each cut to 40 characters, so each value here is short: the dataset, the file
-- (its end, where a long path is cut), the key, and the kind with its count.
select
    dataset,
    case
        when length(source_path) <= 40 then source_path
        else '…' || right(source_path, 39)
    end as source_file,
    drift_key,
    case
        when drift_kind in ('unknown key', 'other type')
            then
                drift_kind || ' in ' || cast(n_records as string) || ' of '
                || cast(n_file_records as string) || ' record(s)'
        when drift_kind = 'unread member' then 'unread member, left in the archive'
        else drift_kind || ', not read'
    end as found,
    source_path
from {{ ref('schema_drift') }}
