{#- The bin of a length in the length histograms: [bin_lower, bin_upper) of width bin_width,
    except that every length from max_length up falls into one open-ended bin (bin_lower
    max_length, bin_upper null). Each argument is a SQL expression (a column or a number). -#}
{% macro histogram_bin_lower(length, bin_width, max_length) -%}
    case
        when {{ length }} >= {{ max_length }} then {{ max_length }}
        else cast(floor(cast({{ length }} as double) / {{ bin_width }}) * {{ bin_width }} as integer)
    end
{%- endmacro %}

{% macro histogram_bin_upper(length, bin_width, max_length) -%}
    case
        when {{ length }} >= {{ max_length }} then cast(null as integer)
        else cast(floor(cast({{ length }} as double) / {{ bin_width }}) * {{ bin_width }} + {{ bin_width }} as integer)
    end
{%- endmacro %}
