-- Quality metrics of the contrastive utterance pairs per dataset, split, locale and pair type:
-- how many pairs, from how many dialogues, and how long anchors and positives are in words.
with

-- The rows of utterance_pairs, read from the candidates kept by every filter (which hold
-- each text's key), not through the view, which takes the texts from the dialogues' turn lists.
utterance_pairs as (

    select * from {{ ref('int_pair_candidates') }}
    where removal_step is null

),

pairs_measured as (

    select
        dataset,
        split,
        locale,
        pair_type,
        min(language) as language,
        {{ combined_split_source() }} as split_source,
        count(*) as n_pairs,
        count(distinct dialogue_id) as n_dialogues,
        -- distinct texts counted by their hash (text_key): the texts themselves would all be held
        count(distinct anchor_text_key) as n_distinct_anchors,
        count(distinct positive_text_key) as n_distinct_positives,
        {{ length_statistics('anchor_n_words', 'anchor_words') }},
        {{ length_statistics('positive_n_words', 'positive_words') }},
        avg(context_size) as mean_context_size,
        max(context_size) as max_context_size
    from utterance_pairs
    group by dataset, split, locale, pair_type

),

final as (

    select
        dataset,
        split,
        split_source,
        locale,
        language,
        pair_type,
        n_pairs,
        n_dialogues,
        n_distinct_anchors,
        n_distinct_positives,
        mean_anchor_words,
        median_anchor_words,
        p95_anchor_words,
        max_anchor_words,
        mean_positive_words,
        median_positive_words,
        p95_positive_words,
        max_positive_words,
        mean_context_size,
        max_context_size
    from pairs_measured

)

select * from final
