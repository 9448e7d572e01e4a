-- Every part of an upstream file the ingest did not expect, per file: keys the parser's schema
-- does not declare and values of another type (kept verbatim in the raw table's `_extra`
-- column, so nothing is lost), archive members of no known kind (left in the archive), and
-- records cut by a missing file (not read). The data test schema_drift_reported warns on
-- every row, so the build names each one.
with

drift as (

    select * from {{ ref('stg_ingest__schema_drift') }}

),

final as (

    select
        dataset,
        source_path,
        split,
        locale,
        table_name,
        drift_key,
        drift_kind,
        n_records,
        n_file_records,
        drift_kind in ('unknown key', 'other type') as is_kept_in_extra,
        case
            when drift_kind in ('unknown key', 'other type')
                then
                    drift_kind || ' in ' || cast(n_records as string) || ' of '
                    || cast(n_file_records as string) || ' record(s), kept verbatim in _extra'
            when drift_kind = 'unread member'
                then 'unread member: no kind of file this source reads, left in the archive'
            when drift_kind = 'partial record'
                then 'partial record: its other part is in a missing file, not read'
            else drift_kind || ' in ' || cast(n_records as string) || ' record(s)'
        end as finding
    from drift

)

select * from final
