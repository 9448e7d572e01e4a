{#- The columns that name an upstream file in ingest's manifests, its split normalised:
    dataset, source_path, upstream_split, split, locale and table_name. Both staging models
    of the manifests (stg_ingest__files, stg_ingest__schema_drift) start with them, over a
    relation with the manifest's own column names. -#}
{% macro manifest_file_columns() %}
        dataset,
        source_path,
        upstream_split,
        {{ normalise_split('upstream_split') }} as split,
        locale,
        table_name
{%- endmacro %}
