with

source as (

    select * from {{ source('ingest', 'manifest') }}

),

renamed as (

    select
        {{ manifest_file_columns() }},
        status,
        origin,
        location,
        bytes,
        git_blob_sha1,
        coalesce(checksum_verified, false) as is_checksum_verified,
        coalesce(records, 0) as records,
        parser_version,
        parquet_path,
        ingested_at
    from source

)

select * from renamed
