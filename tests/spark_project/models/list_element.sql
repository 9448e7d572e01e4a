-- 1-based positions on both engines (Spark's items[1] would be the second element); null
-- past the end and at 0, where Spark's element_at raises.
with

lists as (

    select {{ list_of(["'first'", "'second'", "'last'"]) }} as items

)

select
    {{ list_element('items', 1) }} as at_1,
    {{ list_element('items', list_length('items')) }} as at_length,
    {{ list_element('items', 4) }} as past_end,
    {{ list_element('items', 0) }} as at_0,
    {{ list_element(empty_string_list(), list_length(empty_string_list())) }} as last_of_empty,
    {{ list_element(list_of([struct_of({'speaker': "'user'", 'text': "'hi'"})]), 1) }}.text as field_of_first
from lists
