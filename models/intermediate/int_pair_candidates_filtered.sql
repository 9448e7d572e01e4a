-- Every candidate (anchor, positive) pair of every dialogue, with the first of the filters
-- that see one dialogue alone that removes it (filter_step; null when it passes them). They
-- apply in this order: min_words, max_words, speaker_transition, anchor_equals_positive; the
-- last, duplicate_in_split, compares pairs across dialogues and datasets (int_pair_candidates).
-- Each dialogue's pairs depend on its utterances alone, so they are kept between builds in
-- `staged` with the staged datasets (macros/restaging.sql): a build makes the pairs of the
-- datasets it stages again only.
{%- set k = var('context_window_k') | int %}
{%- set max_words = var('pair_max_words') %}
{#- The k turns before each turn, earliest first: lag(turn, k) ... lag(turn, 1). #}
{%- set context_lags = [] %}
{%- for offset in range(k, 0, -1) %}
    {%- do context_lags.append(
        'lag(' ~ struct_of({'speaker': 'speaker', 'text': 'text'}) ~ ', ' ~ offset ~ ') over by_dialogue'
    ) %}
{%- endfor %}
{#- Each column of a pair: its name, its value for a next_turn pair and for a context_response
    pair, from a turn of `windowed` below. A context's words are counted later, once its text is
    built (null here). #}
{%- set context_length = list_length('windowed.context_turns') %}
{%- set pair_columns = [
    ('anchor_turn_index', 'windowed.turn_index',
        'cast(windowed.turn_index - ' ~ context_length ~ ' as integer)'),
    ('positive_turn_index', 'windowed.next_turn_index', 'windowed.turn_index'),
    ('anchor_speaker', 'windowed.speaker',
        list_element('windowed.context_turns', context_length) ~ '.speaker'),
    ('positive_speaker', 'windowed.next_speaker', 'windowed.speaker'),
    ('anchor_text', 'windowed.text', speaker_tagged_lines('windowed.context_turns')),
    ('positive_text', 'windowed.next_text', 'windowed.text'),
    ('anchor_n_words', 'windowed.n_words', 'null'),
    ('positive_n_words', 'windowed.next_n_words', 'windowed.n_words'),
    ('context_size', '1', context_length),
] %}
with

utterances as (

    select * from {{ ref('int_utterances_unioned') }}

),

-- Only the columns the pairs need: the window below holds every column of every turn. turn_index
-- is typed here as the pairs' turn indices are.
turns as (

    select
        dataset,
        split,
        split_source,
        locale,
        dialogue_id,
        cast(turn_index as integer) as turn_index,
        speaker,
        text,
        n_words,
        {{ language_of('locale') }} as language
    from utterances
    where rejection_reason is null and {{ is_restaged('dataset', var('dialogue_datasets')) }}

),

-- The context of a turn is the k turns before it, taken with lag() over the same window as
-- the next turn: a list aggregate over a sliding frame costs several times more.
windowed as (

    select
        *,
        lead(turn_index) over by_dialogue as next_turn_index,
        lead(speaker) over by_dialogue as next_speaker,
        lead(text) over by_dialogue as next_text,
        lead(n_words) over by_dialogue as next_n_words,
        {{ list_without_nulls(list_of(context_lags)) }} as context_turns
    from turns
    window by_dialogue as (partition by dialogue_id order by turn_index)

),

-- Both kinds of pair from one pass over the windowed turns: each turn is read once per pair
-- type (a two-row list of types), so the windowed turns, texts and contexts and all, are
-- neither held in memory nor spilled, as they are when two pair CTEs each read them.
pair_types as (

    select 'next_turn' as pair_type
    union all
    select 'context_response' as pair_type

),

unioned as (

    select
        pair_types.pair_type,
        windowed.dataset,
        windowed.split,
        windowed.split_source,
        windowed.locale,
        windowed.language,
        windowed.dialogue_id,
        {%- for column, next_turn, context_response in pair_columns %}
            case
                when pair_types.pair_type = 'next_turn' then {{ next_turn }}
                else {{ context_response }}
            end as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from windowed
    cross join pair_types
    where
        (pair_types.pair_type = 'next_turn' and windowed.next_turn_index is not null)
        or (pair_types.pair_type = 'context_response' and {{ context_length }} > 0)

),

counted as (

    select
        *,
        coalesce(anchor_n_words, {{ count_words('anchor_text') }}) as anchor_word_count
    from unioned

),

flagged as (

    select
        *,
        case
            when
                anchor_word_count < {{ var('pair_min_words') }}
                or positive_n_words < {{ var('pair_min_words') }}
                then 'min_words'
            {%- if max_words is not none %}
            when anchor_word_count > {{ max_words }} or positive_n_words > {{ max_words }}
                then 'max_words'
            {%- endif %}
            when
                pair_type = 'next_turn'
                and anchor_speaker || '>' || positive_speaker not in (
                    {%- for transition in var('next_turn_speaker_transitions') %}
                        '{{ transition }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                )
                then 'speaker_transition'
            when
                pair_type = 'context_response'
                and positive_speaker not in (
                    {%- for speaker in var('context_response_positive_speakers') %}
                        '{{ speaker }}'{% if not loop.last %},{% endif %}
                    {%- endfor %}
                )
                then 'speaker_transition'
            when {{ comparison_text('anchor_text') }} = {{ comparison_text('positive_text') }}
                then 'anchor_equals_positive'
        end as filter_step
    from counted

),

-- The pairs without their texts, which are read no further (the marts take them from the
-- dialogues' turn lists): for the pairs that pass the filters, a hash (text_key) of each text,
-- which pair_metrics counts distinct, and of each compared text, which the duplicates are
-- found by.
keyed as (

    select
        {{ utterance_pair_columns() }},
        anchor_word_count,
        positive_n_words,
        context_size,
        filter_step,
        case when filter_step is null then {{ text_key('anchor_text') }} end as anchor_text_key,
        case when filter_step is null then {{ text_key('positive_text') }} end as positive_text_key,
        case when filter_step is null then {{ text_key(comparison_text('anchor_text')) }} end
            as anchor_comparison_key,
        case when filter_step is null then {{ text_key(comparison_text('positive_text')) }} end
            as positive_comparison_key
    from flagged

)

select * from keyed
