-- A string at a JSON path (null where the path is absent), and a cast to the type of an
-- instant, on both engines.
select
    {{ json_string_at("'{\"base_model\": \"m\", \"n\": 3}'", '$.base_model') }} as base_model,
    {{ json_string_at("'{\"n\": 3}'", '$.base_model') }} as absent,
    cast(cast('2026-01-02 03:04:05' as {{ timestamp_with_time_zone() }}) as date) as day
