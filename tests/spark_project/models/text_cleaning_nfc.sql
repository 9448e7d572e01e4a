-- clean_text of decomposed accents: NFC on DuckDB; Spark has no normalisation (ingest is to do it).
select
    text_id,
    {{ clean_text('raw_text') }} as text
from parity_texts
where text_id = 10
