{#- Spark versions of the engine-specific near-duplicate macros of minhash.sql, kept in a file
    of their own while that one is being worked on (dbt finds a spark__ macro in any file);
    they belong beside their duckdb__ versions.
    DuckDB's hash() has no equal on Spark: the n-gram and band hashes here are xxhash64 with
    the sign bit cleared (non-negative, as DuckDB's unsigned hash, so minhash_input stays in
    [0, p)). The exact Jaccard of two texts is the same on both engines (64-bit hashes of the
    same n-grams), but the MinHash signatures, and so the LSH candidates, are not: a pair at
    the threshold that LSH misses on one engine (at most 4 in 10,000 at 0.8, the compile-time
    check) may be found on the other. The same candidates on both would need one hash that
    both compute in the duckdb__ versions too, e.g. hex_to_integer of 15 hex digits of md5. -#}

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

{#- Connected components on Spark, whose recursive CTEs take neither UNION (which stops
    DuckDB's version) nor an aggregate over the recursive reference: min-label propagation
    unrolled in rounds, each node taking the smallest label in its closed neighbourhood. A
    component is done after as many rounds as the longest shortest path from its smallest
    node; the var spark_connected_components_rounds (default 32) bounds them, and the result
    is checked: a node with a different label around it after the last round (a component
    that needed more rounds) raises an error naming the var, never a wrong component. Each
    round reads the one before once, so the plan grows linearly (32 rounds ~20 s on a toy
    graph here; pointer jumping, which would need fewer, doubles the plan each round). -#}
{% macro spark__connected_components(edges) %}
    {%- set rounds = var('spark_connected_components_rounds', 32) | int %}
    with

    neighbourhoods as (
        select node_a as node, node_b as neighbour from {{ edges }}
        union all
        select node_b as node, node_a as neighbour from {{ edges }}
        union all
        select node_a as node, node_a as neighbour from {{ edges }}
        union all
        select node_b as node, node_b as neighbour from {{ edges }}
    ),

    labels_0 as (
        select
            node,
            min(neighbour) as label
        from neighbourhoods
        group by node
    ),
    {%- for round in range(1, rounds + 1) %}

    labels_{{ round }} as (
        select
            neighbourhoods.node,
            min(labels.label) as label
        from neighbourhoods
        inner join labels_{{ round - 1 }} as labels
            on neighbourhoods.neighbour = labels.node
        group by neighbourhoods.node
    ),
    {%- endfor %}

    checked as (
        select
            neighbourhoods.node,
            min(labels.label) as label,
            max(labels.label) as largest_label_around
        from neighbourhoods
        inner join labels_{{ rounds }} as labels
            on neighbourhoods.neighbour = labels.node
        group by neighbourhoods.node
    )

    select
        node,
        case
            when label < largest_label_around then raise_error(
                'connected_components: a component needs more than {{ rounds }} rounds; '
                || 'raise the var spark_connected_components_rounds'
            )
            else label
        end as component
    from checked
{% endmacro %}
