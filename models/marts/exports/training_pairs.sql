-- The decontaminated contrastive pairs: utterance_pairs without a training_exclusion (no test
-- split, no spanned utterance equal to a downstream evaluation text). A view: the export reads
-- it once. anchor and positive come first, as sentence-transformers expects.
with

pairs as (

    select * from {{ ref('utterance_pairs') }}

),

kept as (

    select
        anchor_text as anchor,
        positive_text as positive,
        * exclude (training_exclusion)
    from pairs
    where training_exclusion is null

)

select * from kept
