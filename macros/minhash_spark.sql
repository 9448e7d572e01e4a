{#- Spark versions of the engine-specific near-duplicate macros of minhash.sql, kept in a file
    of their own while that one is being worked on (dbt finds a spark__ macro in any file);
    they belong beside their duckdb__ versions.
    DuckDB's hash() has no equal on Spark: the n-gram and band hashes here are xxhash64 with
    the sign bit cleared (non-negative, as DuckDB's unsigned hash, so minhash_input stays in
    [0, p)). The exact Jaccard of two texts is the same on both engines (64-bit hashes of the
    same n-grams), but the MinHash signatures, and so the LSH candidates, are not: a pair at
    the threshold that LSH misses on one engine (at most 4 in 10,000 at 0.8, the compile-time
    check) may be found on the other. The same candidates on both would need one hash that
    both compute in the duckdb__ versions too, e.g. hex_to_integer of 15 hex digits of md5.
    connected_components has no Spark version yet (tests/test_spark_macros.py says why). -#}

{% macro spark__near_duplicate_normal_form(expression) -%}
    {#- Lower-cased as DuckDB does (comparison_text); apostrophes removed with replace (chr(39):
        no quote to escape); Java's \p{L} and \p{N} are RE2's classes, backslashes doubled. -#}
    trim(regexp_replace(
        replace(replace(replace({{ comparison_text(expression) }}, chr(39), ''), '’', ''), '`', ''),
        '[^\\p{L}\\p{N}]+',
        ' '
    ))
{%- endmacro %}

{% macro spark__word_ngram_hashes(words, n) -%}
    {%- set ngram_words = [] -%}
    {%- for offset in range(n) -%}
        {%- do ngram_words.append("element_at(" ~ words ~ ", ngram_start + " ~ offset ~ ")") -%}
    {%- endfor -%}
    array_distinct(
        case
            when array_size({{ words }}) < {{ n }}
                then array(xxhash64(array_join({{ words }}, ' ')) & 9223372036854775807)
            else transform(
                sequence(1, array_size({{ words }}) + {{ 1 - n }}),
                ngram_start -> xxhash64({{ ngram_words | join(', ') }}) & 9223372036854775807
            )
        end
    )
{%- endmacro %}

{% macro spark__bucket_key(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__shared_elements(left_list, right_list) -%}
    array_size(array_intersect({{ left_list }}, {{ right_list }}))
{%- endmacro %}
