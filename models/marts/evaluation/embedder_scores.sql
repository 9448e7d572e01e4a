with

scores as (

    select * from {{ ref('stg_evaluations__scores') }}

),

scores_labelled as (

    select
        run_id,
        model,
        model_revision,
        model || ' @ ' || left(replace(model_revision, 'sha256:', ''), 8) as model_label,
        {{ json_string_at('parameters', '$.base_model') }} as base_model,
        cast(value * 100 as double) as value_percent,
        dataset,
        locale,
        task,
        metric,
        value,
        n_examples,
        parameters,
        started_at,
        seconds,
        row_number() over (
            partition by model, model_revision, dataset, locale, task, metric
            order by started_at desc, run_id desc
        ) = 1 as is_latest_run
    from scores

)

select * from scores_labelled
