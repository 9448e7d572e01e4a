-- Quality metrics of the pre-training corpus per dataset, split and locale: how many
-- dialogues and utterances, how long dialogues are in turns and utterances in words.
with

dialogues as (

    select * from {{ ref('dialogue_turn_lists') }}

),

turns as (

    select * from {{ ref('turns') }}

),

rejected_records as (

    select * from {{ ref('rejected_records') }}

),

dialogue_lengths as (

    select
        dataset,
        split,
        locale,
        min(language) as language,
        {{ combined_split_source() }} as split_source,
        count(*) as n_dialogues,
        sum(n_turns) as n_turns,
        sum(n_user_turns) as n_user_turns,
        sum(n_system_turns) as n_system_turns,
        sum(n_words) as n_words,
        {{ length_statistics('n_turns', 'turns_per_dialogue') }}
    from dialogues
    group by dataset, split, locale

),

utterance_lengths as (

    select
        dataset,
        split,
        locale,
        count(distinct text) as n_distinct_utterances,
        {{ length_statistics('n_words', 'words_per_utterance') }},
        avg(n_chars) as mean_chars_per_utterance,
        max(n_chars) as max_chars_per_utterance
    from turns
    group by dataset, split, locale

),

rejections as (

    select
        dataset,
        split,
        locale,
        count(*) filter (where record_level = 'dialogue') as n_rejected_dialogues,
        count(*) filter (where record_level = 'utterance') as n_rejected_utterances
    from rejected_records
    where record_level in ('dialogue', 'utterance')
    group by dataset, split, locale

),

final as (

    select
        dialogue_lengths.dataset,
        dialogue_lengths.split,
        dialogue_lengths.split_source,
        dialogue_lengths.locale,
        dialogue_lengths.language,
        dialogue_lengths.n_dialogues,
        cast(dialogue_lengths.n_turns as bigint) as n_turns,
        cast(dialogue_lengths.n_user_turns as bigint) as n_user_turns,
        cast(dialogue_lengths.n_system_turns as bigint) as n_system_turns,
        cast(dialogue_lengths.n_words as bigint) as n_words,
        utterance_lengths.n_distinct_utterances,
        dialogue_lengths.mean_turns_per_dialogue,
        dialogue_lengths.median_turns_per_dialogue,
        dialogue_lengths.p95_turns_per_dialogue,
        dialogue_lengths.max_turns_per_dialogue,
        utterance_lengths.mean_words_per_utterance,
        utterance_lengths.median_words_per_utterance,
        utterance_lengths.p95_words_per_utterance,
        utterance_lengths.max_words_per_utterance,
        utterance_lengths.mean_chars_per_utterance,
        utterance_lengths.max_chars_per_utterance,
        coalesce(rejections.n_rejected_dialogues, 0) as n_rejected_dialogues,
        coalesce(rejections.n_rejected_utterances, 0) as n_rejected_utterances
    from dialogue_lengths
    inner join utterance_lengths
        on {{ key_columns_equal('dialogue_lengths', 'utterance_lengths', ['dataset', 'split', 'locale']) }}
    left join rejections
        on {{ key_columns_equal('dialogue_lengths', 'rejections', ['dataset', 'split', 'locale']) }}

)

select * from final
