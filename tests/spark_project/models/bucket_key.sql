-- An LSH band's key: equal for the same values in the same order only.
select
    {{ bucket_key(['1', '2']) }} = {{ bucket_key(['1', '2']) }} as same_values_same_key,
    {{ bucket_key(['1', '2']) }} = {{ bucket_key(['2', '1']) }} as swapped_values_same_key,
    {{ bucket_key(['1', '2']) }} = {{ bucket_key(['1', '3']) }} as other_values_same_key
