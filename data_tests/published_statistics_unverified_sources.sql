{{ config(severity='warn') }}
-- Reported, not failed: published counts that a source flagged incomplete (or not verified
-- against upstream checksums, such as test fixtures) does not reproduce.
select
    -- The columns that name a count first: a warning names a failing row by its first text
    -- values (dataset/split/locale/statistic).
    dataset,
    split,
    locale,
    statistic,
    source_path,
    published_value,
    measured_value,
    difference,
    is_reproduced,
    is_source_complete,
    is_source_verified,
    published_in
from {{ ref('published_statistics_comparison') }}
where not is_source_verified and not is_reproduced
