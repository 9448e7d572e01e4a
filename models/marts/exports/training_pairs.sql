-- The decontaminated contrastive pairs: utterance_pairs without a training_exclusion (no test
-- split, no spanned utterance equal to, or by default near, a downstream evaluation text). A
-- view: the export reads it once. anchor and positive come first, as sentence-transformers
-- expects.
with

pairs as (

    select * from {{ ref('utterance_pairs') }}

),

kept as (

    select
        anchor_text as anchor,
        positive_text as positive,
        pair_id,
        {{ utterance_pair_columns() }},
        anchor_text,
        positive_text,
        anchor_n_words,
        positive_n_words,
        context_size
    from pairs
    where training_exclusion is null

)

select * from kept
