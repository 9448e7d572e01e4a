-- One row per normal form and LSH band: the band's key, a hash of the band's
-- near_duplicate_rows MinHash values (the minimum of each permutation over the text's
-- n-grams). Two texts whose keys agree in at least one band are a candidate pair. Kept between
-- builds in `staged` with the normal forms (int_near_duplicate_signatures): a build adds the
-- bands of the normal forms it added, from their shingles. The macro unions one aggregate per
-- band, each reading the shingles table itself: DuckDB materialises (holds in memory) a CTE
-- that is read more than once or that aggregates, so import CTEs here would hold every band at
-- once (on the mirror over 250 MB).
{%- set settings = near_duplicate_vars() %}
select
    *,
    '{{ invocation_id }}' as added_by
from (
    {{ lsh_band_keys(ref('int_near_duplicate_shingles'), settings.bands, settings.rows) }}
) as band_keys
