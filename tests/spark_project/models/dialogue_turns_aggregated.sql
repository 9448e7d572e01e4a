-- The dialogues mart's aggregation: turns as structs and as speaker-tagged lines, in turn order.
with

aggregated as (
    {{ dialogue_turns_aggregated('parity_turns') }}
)

select * from aggregated
order by dialogue_id
