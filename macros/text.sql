{#- Text as every mart stores it: Unicode NFC, runs of white space (incl. Unicode space
    separators) collapsed to one space, trimmed. Empty stays empty, so it can be rejected. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text')(expression)) }}
{%- endmacro %}
{% macro duckdb__clean_text(expression) -%}
    trim(regexp_replace(nfc_normalize(coalesce({{ expression }}, '')), '[\s\pZ]+', ' ', 'g'))
{%- endmacro %}

{#- Whitespace-separated word count of an already cleaned text. -#}
{% macro count_words(expression) -%}
    case when {{ expression }} = '' then 0 else {{ list_length("string_split(" ~ expression ~ ", ' ')") }} end
{%- endmacro %}

{#- The form in which two texts count as the same for duplicate and overlap measures: the
    cleaned text, lower-cased. -#}
{% macro comparison_text(expression) -%}
    lower({{ expression }})
{%- endmacro %}

{#- A 128-bit hash of a text, to group or partition by in place of the text itself: cheaper
    to compare and to hold than long texts (a window or aggregate keyed by the texts of
    half a million pairs needs several times the memory). Two different texts share a key
    with a probability of about n^2 / 2^129 for n texts (below 1e-20 for a billion pairs). -#}
{% macro text_key(expression) -%}
    {{ return(adapter.dispatch('text_key')(expression)) }}
{%- endmacro %}
{% macro duckdb__text_key(expression) -%}
    md5_number({{ expression }})
{%- endmacro %}

{#- A Jinja string as an SQL string literal (single quotes doubled); null for none. -#}
{% macro sql_string(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
