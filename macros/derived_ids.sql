{#- Ids that are a function of other columns. A mart stores the columns and its view derives
    the id, so the warehouse does not store it twice (a 32-character md5 per pair costs more
    than every other column of utterance_pair_positions together). -#}

{#- A pair's stable id: md5 of pair_type:dialogue_id:anchor_turn_index:positive_turn_index. -#}
{% macro utterance_pair_id(pair_type, dialogue_id, anchor_turn_index, positive_turn_index) -%}
    md5(concat_ws(':', {{ pair_type }}, {{ dialogue_id }}, {{ anchor_turn_index }}, {{ positive_turn_index }}))
{%- endmacro %}

{#- A turn's corpus-wide id: its dialogue's id and its upstream position, colon-joined. -#}
{% macro turn_id(dialogue_id, source_turn_index) -%}
    {{ dialogue_id }} || ':' || cast({{ source_turn_index }} as string)
{%- endmacro %}
