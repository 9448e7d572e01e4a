-- Window aggregates in the window's order; null values kept in the list, left out of the text.
select
    group_id,
    sort_key,
    {{ windowed_list_agg('value', 'by_group') }} as values_so_far,
    {{ windowed_string_agg('value', "','", 'by_group') }} as joined_so_far
from parity_values
where group_id in (4, 5)
window by_group as (partition by group_id order by sort_key)
order by group_id, sort_key
