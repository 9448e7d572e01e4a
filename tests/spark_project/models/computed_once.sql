-- A CTE declared to be computed once, then filtered on the column it computes: the same rows
-- on both engines.
with

normalised {{ computed_once() }} (

    select
        text_id,
        {{ near_duplicate_normal_form('raw_text') }} as normal_form
    from parity_texts
    where text_id between 300 and 309

),

final as (

    select * from normalised
    where normal_form != ''

)

select * from final
order by text_id
