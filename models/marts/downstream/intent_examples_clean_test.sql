-- intent_examples without the validation and test examples near a train example of their
-- dataset and locale (is_near_train): train as upstream has it, a "clean" validation and test,
-- so a score can be reported on both the upstream and the clean test. A view.
with

examples as (

    select * from {{ ref('intent_examples') }}

),

final as (

    select * from examples
    where not is_near_train

)

select * from final
