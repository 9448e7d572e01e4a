{#- The split_source of a group of rows in the metrics (an aggregate): theirs when they all
    agree, else 'mixed' (taskmaster1 mixes an official and a derived split in one split name). -#}
{% macro combined_split_source(column='split_source') -%}
    case
        when min({{ column }}) = max({{ column }}) then min({{ column }}) else 'mixed'
    end
{%- endmacro %}
