-- One row per dialogue that has at least one domain label, with its labels normalised across
-- datasets by the dialogue_domain_labels seed: dialogue_domain_examples without the text, which
-- that view takes from `dialogues`. A table, as the tests read it and the view builds on it.
with

dialogues as (

    select * from {{ ref('dialogue_turn_lists') }}

),

dialogue_domain_labels as (

    select * from {{ ref('dialogue_domain_labels') }}

),

dialogue_source_labels as (

    select
        dialogue_id,
        dataset,
        {{ unnest_list('services') }} as source_label
    from dialogues

),

labels_normalised as (

    select
        dialogue_source_labels.dialogue_id,
        dialogue_source_labels.source_label,
        coalesce(
            dialogue_domain_labels.domain,
            dialogue_source_labels.dataset || ':' || dialogue_source_labels.source_label
        ) as domain,
        dialogue_domain_labels.domain is not null as is_listed
    from dialogue_source_labels
    left join dialogue_domain_labels
        on
            dialogue_source_labels.dataset = dialogue_domain_labels.dataset
            and dialogue_source_labels.source_label = dialogue_domain_labels.source_label
    where dialogue_source_labels.source_label is not null

),

labels_per_dialogue as (

    select
        dialogue_id,
        {{ ordered_list_agg('source_label', 'source_label', distinct=true) }} as source_labels,
        {{ ordered_list_agg('domain', 'domain', distinct=true) }} as domains,
        {{ ordered_string_agg('domain', "'|'", 'domain', distinct=true) }} as label_set,
        count(distinct domain) as n_domains,
        bool_and(is_listed) as labels_listed
    from labels_normalised
    group by dialogue_id

),

final as (

    select
        {{ dialogue_columns('dialogues') }},
        dialogues.source_dialogue_id,
        labels_per_dialogue.source_labels,
        labels_per_dialogue.domains,
        labels_per_dialogue.label_set,
        cast(labels_per_dialogue.n_domains as integer) as n_domains,
        labels_per_dialogue.n_domains = 1 as is_single_domain,
        case when labels_per_dialogue.n_domains = 1 then labels_per_dialogue.label_set end as domain,
        labels_per_dialogue.labels_listed,
        dialogues.n_turns,
        dialogues.n_words
    from dialogues
    inner join labels_per_dialogue
        on dialogues.dialogue_id = labels_per_dialogue.dialogue_id

)

select * from final
