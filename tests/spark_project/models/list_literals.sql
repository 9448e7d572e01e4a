-- array(...), named_struct(...) and array<string> on Spark.
select
    {{ list_of(["'x'", "'y'"]) }} as two_strings,
    {{ struct_of({'speaker': "'user'", 'text': "'hi'"}) }} as speaker_text,
    cast({{ list_of(["'a'"]) }} as {{ string_list_type() }}) as cast_list,
    {{ empty_string_list() }} as empty_list,
    coalesce(cast(null as {{ string_list_type() }}), {{ list_of([]) }}) as coalesced_empty
