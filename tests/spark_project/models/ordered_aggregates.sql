-- Ordered aggregates (collect_list / collect_set + array_sort of structs on Spark) over rows in
-- no particular order, with ties, null order keys and null values.
select
    group_id,
    {{ ordered_list_agg('value', 'sort_key') }} as values_in_order,
    {{ ordered_list_agg('value', 'value', distinct=true) }} as distinct_values,
    {{ ordered_string_agg('value', "'|'", 'sort_key') }} as joined_in_order,
    {{ ordered_string_agg('value', "'|'", 'value', distinct=true) }} as joined_distinct
from parity_values
where group_id <= 3
group by group_id
order by group_id
