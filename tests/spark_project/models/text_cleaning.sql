-- clean_text (regexp_replace without flag, doubled backslashes, RE2's \s spelled out on Spark),
-- count_words, comparison_text (Spark's lower with DuckDB's sigma and dotted I) and split_text.
select
    text_id,
    {{ clean_text('raw_text') }} as text,
    {{ count_words(clean_text('raw_text')) }} as n_words,
    {{ comparison_text(clean_text('raw_text')) }} as comparison,
    {{ split_text('raw_text', "':'") }} as colon_parts
from parity_texts
where text_id < 10
order by text_id
