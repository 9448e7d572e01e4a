{#- Text as every mart stores it: Unicode NFC, runs of white space (incl. Unicode space
    separators) collapsed to one space, trimmed. Empty stays empty, so it can be rejected. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text')(expression)) }}
{%- endmacro %}
{% macro duckdb__clean_text(expression) -%}
    trim(regexp_replace(nfc_normalize(coalesce({{ expression }}, '')), '[\s\pZ]+', ' ', 'g'))
{%- endmacro %}
{% macro spark__clean_text(expression) -%}
    {#- Spark SQL has no Unicode normalisation function, but Spark 4 ships ICU4J (its
        collations use it), whose static Normalizer.compose(text, false) gives NFC; `reflect`
        calls it (it fails on null, hence the coalesce first). RE2's \s, which DuckDB uses,
        is [\t\n\f\r ]; Java's also takes \x0B, so the class is spelled out. Spark replaces
        every match without a flag, and its string literals take backslash escapes: each
        backslash of the pattern is doubled. -#}
    trim(regexp_replace(
        reflect('com.ibm.icu.text.Normalizer', 'compose', coalesce({{ expression }}, ''), false),
        '[\\t\\n\\f\\r\\p{Z}]+', ' '
    ))
{%- endmacro %}

{#- Whitespace-separated word count of an already cleaned text. -#}
{% macro count_words(expression) -%}
    case when {{ expression }} = '' then 0 else {{ list_length(split_text(expression, "' '")) }} end
{%- endmacro %}

{#- A text split at every occurrence of a separator (an SQL string literal) into a list of
    strings; empty strings between adjacent separators and at the ends are kept. -#}
{% macro split_text(expression, separator) -%}
    {{ return(adapter.dispatch('split_text')(expression, separator)) }}
{%- endmacro %}
{% macro duckdb__split_text(expression, separator) -%}
    string_split({{ expression }}, {{ separator }})
{%- endmacro %}
{% macro spark__split_text(expression, separator) -%}
    {#- Spark's split takes a regular expression: only a literal without its special
        characters is accepted here. Limit -1 keeps trailing empty strings, as DuckDB does. -#}
    {%- if not modules.re.fullmatch("'[^\\\\^$.|?*+()\\[\\]{}']+'", separator) -%}
        {{ exceptions.raise_compiler_error("split_text on Spark: the separator must be a string literal without regular-expression characters; got " ~ separator) }}
    {%- endif -%}
    split({{ expression }}, {{ separator }}, -1)
{%- endmacro %}

{#- The form in which two texts count as the same for duplicate and overlap measures: the
    cleaned text, lower-cased. -#}
{% macro comparison_text(expression) -%}
    {{ return(adapter.dispatch('comparison_text')(expression)) }}
{%- endmacro %}
{% macro duckdb__comparison_text(expression) -%}
    lower({{ expression }})
{%- endmacro %}
{% macro spark__comparison_text(expression) -%}
    {#- Spark lower-cases as Java does, with two full mappings DuckDB does not make: a capital
        sigma ending a word becomes the final sigma (ΟΔΟΣ: οδος, DuckDB οδοσ) and the dotted
        capital I becomes i plus a combining dot (DuckDB: i). Mapped first as DuckDB maps
        them. Every other code point lower-cases alike on both, but for 55 letters added to
        Unicode in 2024, which only Spark lower-cases (measured over all code points). -#}
    lower(replace(replace({{ expression }}, 'Σ', 'σ'), 'İ', 'i'))
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
{% macro spark__text_key(expression) -%}
    {#- Spark has no 128-bit integer: the md5 as 32 hex digits, the same 128 bits (so the same
        collision odds), only larger to hold. The key only groups, joins and partitions; its
        values and their order differ from DuckDB's (md5_number), so nothing may be ordered
        by it, shown or compared across engines. -#}
    md5({{ expression }})
{%- endmacro %}

{#- A Jinja string as an SQL string literal (single quotes doubled); null for none. -#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string')(value)) }}
{%- endmacro %}
{% macro duckdb__sql_string(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
{% macro spark__sql_string(value) -%}
    {#- Spark's literals take backslash escapes: a backslash is doubled to stay itself. -#}
    {%- if value is none -%}null{%- else -%}'{{ value | string | replace("\\", "\\\\") | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}
