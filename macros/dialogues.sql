{#- The turns of each dialogue gathered into one row: counts and lengths, the turns as a list
    of structs and as speaker-tagged lines, both in turn order. From a relation of turns with
    dialogue_id, turn_index, speaker, text, n_words and n_chars (the dialogues mart and its
    decontaminated view both aggregate this way); with_text=false leaves out the lines. -#}
{% macro dialogue_turns_aggregated(turns_relation, with_text=true) %}
    select
        dialogue_id,
        count(*) as n_turns,
        count(*) filter (where speaker = 'user') as n_user_turns,
        count(*) filter (where speaker = 'system') as n_system_turns,
        sum(n_words) as n_words,
        sum(n_chars) as n_chars,
        {{ ordered_list_agg(
            struct_of({'turn_index': 'turn_index', 'speaker': 'speaker', 'text': 'text'}),
            'turn_index',
        ) }} as turns
        {%- if with_text %},
        {{ ordered_string_agg("speaker || ': ' || text", 'chr(10)', 'turn_index') }} as dialogue_text
        {%- endif %}
    from {{ turns_relation }}
    group by dialogue_id
{% endmacro %}
