"""Fine-tune a sentence-transformers embedder on the warehouse's exported pairs.

    python -m embedder_train --pairs exports/pairs --datasets sgd,woz2 --max-steps 1000 --evaluate

Modules: `pairs` (reading an export's pairs folder, selected by pair type and dataset),
`training` (DSE-style contrastive fine-tuning with in-batch negatives, the saved model and its
training record), `cli`. Needs the `eval` extra (torch, sentence-transformers, accelerate).
"""
