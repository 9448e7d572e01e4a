-- The result files are written by embedder_eval with a fixed schema; staging only casts, so
-- the warehouse types do not depend on how a file happened to be written.
with

source as (

    select * from {{ source('evaluations', 'scores') }}

),

renamed as (

    select
        cast(run_id as string) as run_id,
        cast(model as string) as model,
        cast(model_revision as string) as model_revision,
        cast(dataset as string) as dataset,
        cast(locale as string) as locale,
        cast(task as string) as task,
        cast(metric as string) as metric,
        cast(value as double) as value,
        cast(n_examples as bigint) as n_examples,
        cast(parameters as string) as parameters,
        cast(started_at as {{ timestamp_with_time_zone() }}) as started_at,
        cast(seconds as double) as seconds
    from source

)

select * from renamed
