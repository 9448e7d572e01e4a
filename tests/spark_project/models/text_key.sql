-- text_key: md5 as a 128-bit number on DuckDB, as 32 hex digits on Spark; equal texts share it.
select
    text_id,
    {{ text_key('raw_text') }} as text_key,
    count(*) over (partition by {{ text_key('raw_text') }}) as n_texts_with_key
from parity_texts
where text_id between 100 and 199
order by text_id
