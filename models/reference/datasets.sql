{#- One row per registered dataset. The rows come from the registry (ingest/registry.py),
    which the pipeline passes as the var `datasets` at build time: nothing here lists a
    dataset by hand. -#}
with

registered as (

    select registry.* from (
        values
        {%- for row in var('datasets') %}
            (
                {{ sql_string(row.dataset) }},
                {{ sql_string(row.name) }},
                {{ sql_string(row.kind) }},
                {{ sql_string(row.license) }},
                {{ sql_string(row.citation) }},
                {{ sql_string(row.homepage) }},
                {{ sql_string(row.repository) }},
                {{ sql_string(row.commit) }},
                {{ sql_string(row.split_source) }},
                {{ sql_string(row.split_rule) }},
                {{ 'true' if row.redistributable else 'false' }},
                {{ row.n_upstream_files | int }}
            ){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as registry (
        dataset,
        name,
        kind,
        license,
        citation,
        homepage,
        repository,
        commit,
        split_source,
        split_rule,
        redistributable,
        n_upstream_files
    )

),

typed as (

    select
        cast(dataset as string) as dataset,
        cast(name as string) as name,
        cast(kind as string) as kind,
        cast(license as string) as license,
        cast(citation as string) as citation,
        cast(homepage as string) as homepage,
        cast(repository as string) as repository,
        cast(commit as string) as commit,
        cast(split_source as string) as split_source,
        cast(split_rule as string) as split_rule,
        cast(redistributable as boolean) as redistributable,
        cast(n_upstream_files as integer) as n_upstream_files
    from registered

)

select * from typed
