-- Each active intent of a turn with the services of the frames it is active in: an intent
-- active in two frames (their services sorted, one twice), a frame whose intent is NONE or
-- null, a frame without a service, and a turn without intents.
with

turns as (

    select
        1 as turn_id,
        {{ list_of(["'book'", "'find'"]) }} as intents,
        {{ list_of(["'trains'", "'hotels'", "'hotels'", "'buses'", "'taxis'", "cast(null as string)"]) }}
            as services,
        {{ list_of(["'book'", "'book'", "'book'", "'NONE'", "cast(null as string)", "'find'"]) }}
            as frame_intents
    union all
    select
        2 as turn_id,
        cast(null as {{ string_list_type() }}) as intents,
        {{ list_of(["'hotels'"]) }} as services,
        {{ list_of(["cast(null as string)"]) }} as frame_intents

)

select
    turn_id,
    {{ intents_with_services('intents', 'services', 'frame_intents') }} as intents
from turns
order by turn_id
