-- List comprehensions on DuckDB, transform / filter / slice / array_distinct on Spark.
with

frames_listed as (

    select
        {{ list_of([
            struct_of({'service': "'hotels'", 'state': struct_of({'active_intent': "'book'"})}),
            struct_of({'service': "'trains'", 'state': "case when false then " ~ struct_of({'active_intent': "'x'"}) ~ " end"}),
            struct_of({'service': "'hotels'", 'state': struct_of({'active_intent': "'NONE'"})}),
        ]) }} as frames,
        {{ list_of([
            struct_of({'turn_index': '0', 'speaker': "'user'", 'text': "'hi'"}),
            struct_of({'turn_index': '1', 'speaker': "'system'", 'text': "'hello'"}),
            struct_of({'turn_index': '2', 'speaker': "'user'", 'text': "cast(null as string)"}),
        ]) }} as turns,
        {{ list_of(["'a'", "'b'", "'c'", "'d'"]) }} as letters

)

select
    {{ list_field('frames', 'service') }} as services,
    {{ list_field('frames', 'state.active_intent', present_field='state') }} as intents,
    {{ list_distinct_in_order(
        list_of(["'a'", "'NONE'", "'b'", "'a'", "cast(null as string)", "'c'", "'b'"]), "'NONE'"
    ) }} as distinct_in_order,
    {{ list_struct_fields('turns', ['speaker', 'text']) }} as speaker_texts,
    {{ list_without_nulls(list_of(["'a'", "cast(null as string)", "'b'"])) }} as without_nulls,
    {{ speaker_tagged_lines(list_slice('turns', 1, 2)) }} as tagged_lines,
    {{ speaker_tagged_lines('turns') }} as tagged_lines_null_text,
    {{ speaker_tagged_lines(list_slice('turns', 1, 0)) }} as tagged_lines_of_none,
    {{ list_slice('letters', 2, 3) }} as slice_2_3,
    {{ list_slice('letters', 1, 0) }} as slice_1_0,
    {{ list_slice('letters', 3, 10) }} as slice_3_10,
    {{ list_slice('letters', 5, 6) }} as slice_5_6,
    {{ list_slice('cast(null as ' ~ string_list_type() ~ ')', 1, 2) }} as slice_of_null
from frames_listed
