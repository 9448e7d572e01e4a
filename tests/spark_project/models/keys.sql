-- Hex digits to a number (conv on Spark, where the cast of '0x...' is null or raises), the
-- derived split built on it, and the key macros with their string casts.
select
    text_id,
    raw_text as split_key,
    {{ derived_split('raw_text') }} as derived_split,
    {{ hex_to_integer("'ffffffff'") }} as hex_ffffffff,
    {{ hex_to_integer("'0000000a'") }} as hex_0000000a,
    {{ hex_to_integer("'fffffffffffffff'") }} as hex_15_digits,
    {{ record_key("'sgd'", "'train'", "'en'", 'text_id') }} as record_id,
    {{ language_of("'zh-TW'") }} as language,
    {{ normalise_split("'DEV'") }} as split
from parity_texts
where text_id between 200 and 299
order by text_id
