{#- Near-duplicate detection: MinHash signatures over word n-grams, candidate pairs by LSH
    banding, exact Jaccard to verify, connected components to cluster (README, "Near-duplicates").
    Engine-specific SQL (regular expressions, hashing, list functions) is behind
    adapter.dispatch; the arithmetic and the permutations are plain SQL and Jinja. -#}

{#- The largest prime below 2^31 (a Mersenne prime): MinHash values are (a * x + b) mod it,
    with x, a and b below it, so the product stays below 2^62 and fits any engine's bigint. -#}
{% macro minhash_prime() -%}
    2147483647
{%- endmacro %}

{#- The form in which texts are compared for near-duplicates: lower-cased, apostrophes removed
    (so "I'd" and "id", "don't" and "dont" meet), every run of characters other than letters
    and digits (punctuation, symbols, white space) replaced by one space, trimmed. "Book a
    table, for 2!" and "book a table for 2" have the same form. Empty when a text has no letter
    or digit; such texts are left out of the detection. -#}
{% macro near_duplicate_normal_form(expression) -%}
    {{ return(adapter.dispatch('near_duplicate_normal_form')(expression)) }}
{%- endmacro %}
{% macro duckdb__near_duplicate_normal_form(expression) -%}
    trim(regexp_replace(
        regexp_replace(lower({{ expression }}), '[''’`]', '', 'g'), '[^\p{L}\p{N}]+', ' ', 'g'
    ))
{%- endmacro %}

{#- The distinct 64-bit hashes of the word n-grams of a normal form, from its words (the normal
    form split at its single spaces, a list column). A text of fewer than n words is one
    shingle: its words joined. -#}
{% macro word_ngram_hashes(words, n) -%}
    {{ return(adapter.dispatch('word_ngram_hashes')(words, n)) }}
{%- endmacro %}
{% macro duckdb__word_ngram_hashes(words, n) -%}
    {%- set ngram_words = [] -%}
    {%- for offset in range(n) -%}
        {%- do ngram_words.append(words ~ "[position + " ~ offset ~ "]") -%}
    {%- endfor -%}
    list_distinct(
        case
            when len({{ words }}) < {{ n }} then [hash(array_to_string({{ words }}, ' '))]
            else [
                hash({{ ngram_words | join(', ') }})
                for position in range(1, len({{ words }}) + {{ 2 - n }})
            ]
        end
    )
{%- endmacro %}

{#- One row per element of a list of shingle hashes, reduced below minhash_prime() (as bigint):
    the values the permutations act on. -#}
{% macro minhash_input(shingle_hash) -%}
    cast({{ shingle_hash }} % {{ minhash_prime() }} as bigint)
{%- endmacro %}

{#- The MinHash permutations: `count` pairs (a, b), 1 <= a < p and 0 <= b < p, drawn with a
    64-bit linear congruential generator from `seed` (Knuth's MMIX constants), so every engine
    and every build uses the same ones. Permutation i maps x to (a * x + b) mod p. -#}
{% macro minhash_permutations(count, seed=16) -%}
    {%- set prime = minhash_prime() | int -%}
    {%- set state = namespace(value=seed) -%}
    {%- set permutations = [] -%}
    {%- for index in range(count) -%}
        {%- set state.value = (state.value * 6364136223846793005 + 1442695040888963407) % 18446744073709551616 -%}
        {%- set a = (state.value // 8589934592) % (prime - 1) + 1 -%}
        {%- set state.value = (state.value * 6364136223846793005 + 1442695040888963407) % 18446744073709551616 -%}
        {%- set b = (state.value // 8589934592) % prime -%}
        {%- do permutations.append({'a': a, 'b': b}) -%}
    {%- endfor -%}
    {{ return(permutations) }}
{%- endmacro %}

{#- The value of permutation {a, b} for a minhash_input value x: (a * x + b) mod p. -#}
{% macro minhash_value(permutation, input) -%}
    ({{ permutation.a }} * {{ input }} + {{ permutation.b }}) % {{ minhash_prime() }}
{%- endmacro %}

{#- One row per text and LSH band of `relation` (columns text_id and minhash_input, one row per
    text and n-gram): text_id, band (0-based) and band_key, a hash of the band's `rows` MinHash
    values (the minimum over the text's n-grams of each of the band's permutations).
    One aggregate per band, unioned: an aggregate of all bands at once would hold every text's
    whole signature in memory. -#}
{% macro lsh_band_keys(relation, bands, rows) -%}
    {%- set permutations = minhash_permutations(bands * rows) -%}
    {%- for band in range(bands) %}
    {%- set band_values = [] %}
    {%- for row in range(rows) %}
    {%- do band_values.append('min(' ~ minhash_value(permutations[band * rows + row], 'minhash_input') ~ ')') %}
    {%- endfor %}
    select
        text_id,
        cast({{ band }} as smallint) as band,
        {{ bucket_key(band_values) }} as band_key
    from {{ relation }}
    group by text_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The Jaccard similarity of two lists of distinct values, as a double. -#}
{% macro list_jaccard(left_list, right_list) -%}
    {{ shared_elements(left_list, right_list) }} / cast(
        {{ list_length(left_list) }} + {{ list_length(right_list) }} - {{ shared_elements(left_list, right_list) }}
        as double
    )
{%- endmacro %}

{#- A 64-bit key of several values together (an LSH band's MinHash values). -#}
{% macro bucket_key(expressions) -%}
    {{ return(adapter.dispatch('bucket_key')(expressions)) }}
{%- endmacro %}
{% macro duckdb__bucket_key(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{#- The number of elements two lists of distinct values share. -#}
{% macro shared_elements(left_list, right_list) -%}
    {{ return(adapter.dispatch('shared_elements')(left_list, right_list)) }}
{%- endmacro %}
{% macro duckdb__shared_elements(left_list, right_list) -%}
    len(list_intersect({{ left_list }}, {{ right_list }}))
{%- endmacro %}

{#- The probability that LSH banding makes two texts of Jaccard similarity s a candidate pair:
    1 - (1 - s^rows)^bands. Checked at compile time against the thresholds (near_duplicate_vars). -#}
{% macro lsh_candidate_probability(similarity, bands, rows) -%}
    {{ return(1 - (1 - similarity ** rows) ** bands) }}
{%- endmacro %}

{#- The near-duplicate vars, checked: n-gram size, bands, rows, the threshold of the marts and
    the decontamination's match and threshold. Fails the compilation (saying why) when a value
    is out of range, or when the bands and rows would miss more than 1 in 100 pairs at the
    lower of the two thresholds. -#}
{% macro near_duplicate_vars() -%}
    {%- set settings = {
        'ngram_size': var('near_duplicate_ngram_size') | int,
        'bands': var('near_duplicate_bands') | int,
        'rows': var('near_duplicate_rows') | int,
        'threshold': var('near_duplicate_threshold') | float,
        'decontamination_match': var('decontamination_match'),
        'decontamination_threshold': var('decontamination_threshold') | float,
    } -%}
    {%- if settings.decontamination_match not in ['exact', 'near_duplicate'] -%}
        {{ exceptions.raise_compiler_error(
            "decontamination_match must be exact or near_duplicate, not " ~ settings.decontamination_match
        ) }}
    {%- endif -%}
    {%- for name in ['threshold', 'decontamination_threshold'] -%}
        {%- if not (0 < settings[name] <= 1) -%}
            {{ exceptions.raise_compiler_error(name ~ " must be in (0, 1], not " ~ settings[name]) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if settings.ngram_size < 1 or settings.bands < 1 or settings.rows < 1 -%}
        {{ exceptions.raise_compiler_error("near_duplicate_ngram_size, _bands and _rows must be at least 1") }}
    {%- endif -%}
    {%- set lowest = [settings.threshold, settings.decontamination_threshold] | min -%}
    {%- do settings.update({'lowest_threshold': lowest}) -%}
    {%- set recall = lsh_candidate_probability(lowest, settings.bands, settings.rows) -%}
    {%- if recall < 0.99 -%}
        {{ exceptions.raise_compiler_error(
            "near_duplicate_bands=" ~ settings.bands ~ " and near_duplicate_rows=" ~ settings.rows
            ~ " find a pair of Jaccard similarity " ~ lowest ~ " with probability "
            ~ (recall * 100) | round(1) ~ "% only; use more bands or fewer rows for this threshold"
        ) }}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

{#- Connected components of an undirected graph, as one row per node (node, component): the
    component is the smallest node id in it. `edges` is a relation with columns node_a and
    node_b (each edge once, in either direction). A recursive CTE carries each node's id to
    its neighbours, but only to neighbours with a larger id: the smallest id of a component
    reaches every node of it, and a node receives at most the ids smaller than its own, so the
    work is at most s^2 / 2 rows for a component of s nodes (near-duplicate clusters have tens
    of texts; the mirror's largest at 0.8 has 55). -#}
{% macro connected_components(edges) -%}
    {{ return(adapter.dispatch('connected_components')(edges)) }}
{%- endmacro %}
{% macro duckdb__connected_components(edges) %}
    with recursive

    undirected as (
        select
            node_a as node,
            node_b as neighbour
        from {{ edges }}
        union all
        select
            node_b as node,
            node_a as neighbour
        from {{ edges }}
    ),

    reached (node, label) as (
        select
            node,
            min(least(node, neighbour)) as label
        from undirected
        group by node
        union
        select
            undirected.neighbour as node,
            reached.label
        from reached
        inner join undirected
            on reached.node = undirected.node
        where reached.label < undirected.neighbour
    )

    select
        node,
        min(label) as component
    from reached
    group by node
{% endmacro %}
