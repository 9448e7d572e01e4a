-- Every dialogue dataset's staged utterances in one relation, with their dialogue's id,
-- split and locale (grain: one upstream utterance, empty ones included), and what is derived
-- from each utterance alone: the reason it cannot reach the marts (null: it is kept), its
-- position among its dialogue's kept utterances, its lengths, and the normal form and keys the
-- decontamination and near-duplicate detection match its text by.
-- Computed here, once per dataset staged (kept between builds), not again in every build.
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

),

-- An empty utterance cannot reach the marts (rejection_reason); each kept one is numbered
-- among the kept ones of its dialogue.
with_rejection as (

    select
        *,
        case
            when text = '' then 'empty_utterance'
        end as rejection_reason
    from joined

),

derived as (

    select
        *,
        case
            when rejection_reason is null
                then row_number() over (
                    partition by dialogue_id, rejection_reason is null order by source_turn_index
                ) - 1
        end as turn_index,
        length(text) as n_chars,
        {{ count_words('text') }} as n_words,
        {{ text_key(comparison_text('text')) }} as comparison_key,
        -- Null where it is empty (no letter or digit): no text can be near it.
        nullif({{ near_duplicate_normal_form('text') }}, '') as near_duplicate_normal_form
    from with_rejection

),

keyed as (

    select
        *,
        {{ text_key('near_duplicate_normal_form') }} as near_duplicate_key
    from derived

)

select * from keyed
