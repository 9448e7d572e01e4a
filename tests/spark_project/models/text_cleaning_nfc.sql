-- clean_text of decomposed accents: NFC on both engines (ICU4J on Spark).
select
    text_id,
    {{ clean_text('raw_text') }} as text
from parity_texts
where text_id = 10
