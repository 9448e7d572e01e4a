{#- The near-duplicate text pairs (int_near_duplicate_pairs: each pair once, text_number_a <
    text_number_b) from both sides: text_number, neighbour_text_number, jaccard; with
    min_jaccard, only the pairs at least that similar. -#}
{% macro text_pairs_both_ways(pairs, min_jaccard=none) -%}
    {%- for own, neighbour in [('a', 'b'), ('b', 'a')] %}
    select
        text_number_{{ own }} as text_number,
        text_number_{{ neighbour }} as neighbour_text_number,
        jaccard
    from {{ pairs }}
    {%- if min_jaccard is not none %}
    where jaccard >= {{ min_jaccard }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
