{#- Staging for the utterances of the Taskmaster releases, which share one shape: every element
    of a dialogue's `utterances` is one utterance, in upstream order; runs of one speaker stay
    as they are. Speakers are USER/ASSISTANT (TM-1, TM-2) or user/assistant (TM-3, TM-4),
    matched lower-cased and kept verbatim in upstream_speaker. -#}
{% macro taskmaster_utterances(dataset, source_relation) %}
    {{ listed_turn_utterances(
        dataset,
        source_relation,
        list_column='utterances',
        upstream_speaker='turn.speaker',
        speaker_key='lower(turn.speaker)',
        speakers={'user': 'user', 'assistant': 'system'},
        raw_text='turn.text',
    ) }}
{% endmacro %}

{#- Staging for the dialogues of the Taskmaster releases. Where split_lists_relation is given
    (TM-1's id lists, TM-3's split folders), the split is given by lists naming each dialogue's
    conversation_id: the dialogues joined to their lists is the one join this model does. A
    dialogue named by exactly one list takes its split ('official'); one named by no list or by
    several gets the derived split ('derived', keyed '<dataset>:<conversation_id>'), with the
    lists that name it, if any, '|'-joined in upstream_split, so a gap or conflict stays
    visible. Without split lists (TM-2, TM-4: no upstream split) every dialogue gets the derived
    split and a null upstream_split. service is the dialogue's one service (domain), an SQL
    expression over the dialogue record; where it is null the dialogue has none. -#}
{% macro taskmaster_dialogues(dataset, dialogues_relation, service, split_lists_relation=none) %}
with

dialogues as (

    select * from {{ dialogues_relation }}

),
{%- if split_lists_relation is not none %}

split_lists as (

    select * from {{ split_lists_relation }}

),

split_lists_per_id as (

    select
        conversation_id,
        {{ ordered_string_agg('_upstream_split', "'|'", '_upstream_split', distinct=true) }} as listed_splits,
        count(distinct _upstream_split) as n_lists
    from split_lists
    group by conversation_id

),

dialogues_with_lists as (

    select
        dialogues.*,
        split_lists_per_id.listed_splits,
        coalesce(split_lists_per_id.n_lists, 0) as n_lists
    from dialogues
    left join split_lists_per_id
        on dialogues.conversation_id = split_lists_per_id.conversation_id

),
{%- else %}

dialogues_with_lists as (

    select
        *,
        cast(null as string) as listed_splits,
        0 as n_lists
    from dialogues

),
{%- endif %}

splits_assigned as (

    select
        *,
        case
            when n_lists = 1 then {{ normalise_split('listed_splits') }}
            else {{ derived_split("'" ~ dataset ~ ":' || conversation_id") }}
        end as assigned_split,
        case when n_lists = 1 then 'official' else 'derived' end as assigned_split_source,
        case
            when {{ service }} is null then {{ empty_string_list() }}
            else {{ list_of([service]) }}
        end as listed_services
    from dialogues_with_lists

),

{{ renamed_and_keyed(
    renamed_dialogues(
        dataset,
        'splits_assigned',
        source_dialogue_id='conversation_id',
        services='listed_services',
        upstream_split='listed_splits',
        split='assigned_split',
        split_source='assigned_split_source',
    ),
    'dialogue',
) }}
{% endmacro %}
