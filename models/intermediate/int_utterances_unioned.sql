-- Every dialogue dataset's staged utterances in one relation, with their dialogue's id,
-- split and locale (grain: one upstream utterance, empty ones included).
with

dialogues as (

    select * from {{ ref('int_dialogues_unioned') }}

),

{% for dataset in var('dialogue_datasets') %}
    {{ dataset }}_utterances as (

        select * from {{ ref('stg_' ~ dataset ~ '__utterances') }}

    ),

{% endfor %}
utterances as (

    {{ union_of_restaged(var('dialogue_datasets'), 'utterances') }}

),

joined as (

    select
        dialogues.dialogue_id,
        dialogues.dataset,
        dialogues.split,
        dialogues.split_source,
        dialogues.locale,
        dialogues.source_path,
        dialogues.source_dialogue_id,
        utterances.source_turn_index,
        utterances.upstream_speaker,
        utterances.speaker,
        utterances.raw_text,
        utterances.text,
        utterances.intents,
        utterances.services,
        utterances.frame_intents
    from utterances
    inner join dialogues
        on
            utterances.dataset = dialogues.dataset
            and utterances.source_path = dialogues.source_path
            and utterances.record_index = dialogues.record_index

)

select * from joined
