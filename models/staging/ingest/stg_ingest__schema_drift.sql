-- One row per drifting key of an ingested upstream file, from the manifests' schema_drift
-- lists (ingest/raw_store.py): a key the parser's schema does not declare or a value of
-- another type (kept verbatim in the raw table's `_extra` column), an archive member of no
-- kind the parser reads (left in the archive), or a record cut by a missing file (not read).
with

-- Manifests written before ingest recorded schema drift have no schema_drift column: their
-- files read as holding none.
source as (

    {{ with_columns_if_missing(
        source('ingest', 'manifest'),
        {'schema_drift': 'struct(key varchar, kind varchar, records bigint)[]'},
    ) }}

),

drifting_files as (

    select
        dataset,
        source_path,
        upstream_split,
        locale,
        table_name,
        records as n_file_records,
        {{ unnest_list('schema_drift') }} as drift
    from source
    where status = 'ingested' and {{ list_length('schema_drift') }} > 0

),

renamed as (

    select
        {{ manifest_file_columns() }},
        drift.key as drift_key,
        drift.kind as drift_kind,
        drift.records as n_records,
        n_file_records
    from drifting_files

)

select * from renamed
