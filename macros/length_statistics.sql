{#- How a length is spread over a group of rows, as the metrics marts summarise it (an aggregate):
    its mean, median, 95th percentile (interpolated) and maximum, named mean_<name>,
    median_<name>, p95_<name> and max_<name>. length is an SQL expression over the rows. -#}
{% macro length_statistics(length, name) -%}
    avg({{ length }}) as mean_{{ name }},
    median({{ length }}) as median_{{ name }},
    percentile_cont(0.95) within group (order by {{ length }}) as p95_{{ name }},
    max({{ length }}) as max_{{ name }}
{%- endmacro %}
