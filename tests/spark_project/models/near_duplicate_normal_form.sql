-- The near-duplicate normal form: lower-cased as DuckDB does, apostrophes dropped (a doubled
-- quote on DuckDB, chr(39) on Spark), runs of non-letters and non-digits one space.
select
    text_id,
    {{ near_duplicate_normal_form('raw_text') }} as normal_form
from parity_texts
where text_id between 300 and 309
order by text_id
