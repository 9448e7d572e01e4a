-- A Jinja string as a literal: a quote and backslashes kept as they are on both engines.
select
    {{ sql_string("it's a \\back\\slash") }} as quoted,
    {{ sql_string(none) }} as nothing
