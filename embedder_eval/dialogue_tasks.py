"""Whole-dialogue tasks on fixed embeddings: domain classification, clustering, retrieval.

A dialogue is read from the `dialogue_domain_examples` mart and embedded in one of two ways:

- `joined`: its turns as lines `speaker: text` joined by new lines, cut after the last whole
  turn that fits the model's maximum sequence length (counted by the model's own tokenizer,
  special tokens included); the first turn is always kept, and the model cuts it at its limit
  if it alone is longer. Turns are kept from the start because a dialogue's opening states
  what the user wants. What the model reads is exactly the text embedded.
- `pooled`: each line `speaker: text` embedded on its own (the model cuts a line past its
  limit), the dialogue's embedding the mean of its lines' embeddings.

Labels are the dialogue's normalised domains (dialogue_domain_labels seed). The tasks:

- `dialogue_domain`: a scikit-learn LogisticRegression (lbfgs, C = 1, max_iter 1000,
  random_state 42, on the embeddings as returned, unscaled) fitted on the train split's
  single-domain dialogues, predicting the test split's single-domain dialogues whose domain the
  train split has; accuracy, macro F1 and weighted F1.
- `dialogue_domain_multilabel`: one such classifier per domain (one-vs-rest) fitted on every
  train dialogue; a test dialogue (every domain of it in train) gets each domain whose
  probability is at least 0.5, or the most probable one when none is; micro and macro F1 over
  the train domains, subset accuracy (the exact set), and micro F1 and subset accuracy on the
  multi-domain test dialogues alone.
- `dialogue_clustering`: k-means (scikit-learn KMeans, k-means++ initialisation, one
  initialisation per seed, seeds 0-9) with k = the number of domains, on the L2-normalised
  embeddings of the test split's single-domain dialogues; V-measure and adjusted Rand index
  against the domains, averaged over the seeds (standard deviations kept).
- `dialogue_retrieval`: each test dialogue whose label set (all its domains) another test
  dialogue shares is a query; every other test dialogue is a candidate, ranked by cosine
  similarity (ties in candidate order); a hit is a candidate with the same label set. Metrics:
  mean average precision over the whole ranking (`map`), the mean reciprocal rank of the first
  hit (`mrr`), `recall_at_k`: the share of queries with a hit among the first k (k = 1, 5, 10;
  with one relevant candidate per query, as in next_turn, this is recall@k), and
  `precision_at_10`: the share of hits among the first 10.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from embedder_eval.protocols import (
    LogRegSettings,
    classification_metrics,
    fit_classifier,
    logistic_regression,
)

DIALOGUE_INPUTS = ("joined", "pooled")
INPUT_DESCRIPTIONS = {
    "joined": "the turns as lines `speaker: text` joined by new lines, cut after the last "
    "whole turn within the model's maximum sequence length (its tokenizer's count, special "
    "tokens included; at least the first turn)",
    "pooled": "each turn's line `speaker: text` embedded on its own; the dialogue's embedding "
    "is the mean of its lines' embeddings",
}
DIALOGUE_CLASSIFIER = LogRegSettings(max_iter=1000)
MULTILABEL_THRESHOLD = 0.5
CLUSTERING_SEEDS = tuple(range(10))
RETRIEVAL_KS = (1, 5, 10)
PRECISION_K = 10
QUERY_BLOCK = 512


# --- what the model reads -------------------------------------------------------------------


@dataclass(frozen=True)
class TokenLimit:
    """How a model counts tokens, and how many it reads."""

    max_tokens: int
    count: Callable[[Sequence[str]], list[int]]  # tokens of each text, special tokens included
    source: str = ""


def turn_lines(turns: Sequence[dict]) -> list[str]:
    """The turns as lines `speaker: text` (as the dialogues mart joins them)."""
    return [f"{turn['speaker']}: {turn['text']}" for turn in turns]


def joined_within_limit(
    dialogues: Sequence[Sequence[str]], limit: TokenLimit
) -> tuple[list[str], list[int]]:
    """Each dialogue's lines joined by new lines, cut after the last whole line within
    limit.max_tokens (at least one line); and how many lines each keeps."""
    whole = ["\n".join(lines) for lines in dialogues]
    counts = limit.count(whole)
    texts, kept = list(whole), [len(lines) for lines in dialogues]
    over = [i for i, n in enumerate(counts) if n > limit.max_tokens and len(dialogues[i]) > 1]
    if not over:
        return texts, kept
    special = limit.count([""])[0]
    for i in over:
        lines = list(dialogues[i])
        line_tokens = [n - special for n in limit.count(lines)]
        # First estimate: lines add their own tokens; then step to the exact longest prefix.
        total, n_kept = special, 0
        for tokens in line_tokens:
            if total + tokens > limit.max_tokens:
                break
            total += tokens
            n_kept += 1
        n_kept = max(n_kept, 1)

        def fits(k: int, lines=lines) -> bool:
            return limit.count(["\n".join(lines[:k])])[0] <= limit.max_tokens

        while n_kept > 1 and not fits(n_kept):
            n_kept -= 1
        while n_kept < len(lines) - 1 and fits(n_kept + 1):
            n_kept += 1
        texts[i] = "\n".join(lines[:n_kept])
        kept[i] = n_kept
    return texts, kept


def mean_pool(vectors: np.ndarray, owners: np.ndarray, n_dialogues: int) -> np.ndarray:
    """The mean of the rows of vectors that belong to each dialogue (owners: its index)."""
    sums = np.zeros((n_dialogues, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, owners, vectors.astype(np.float64))
    counts = np.bincount(owners, minlength=n_dialogues).astype(np.float64)
    return (sums / np.maximum(counts, 1.0)[:, None]).astype(np.float32)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors.astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


# --- domain classification ------------------------------------------------------------------


def evaluate_domain_classification(
    train_x: np.ndarray,
    train_domains: Sequence[str],
    test_x: np.ndarray,
    test_domains: Sequence[str],
    settings: LogRegSettings = DIALOGUE_CLASSIFIER,
) -> tuple[dict[str, float], dict]:
    """Single-domain dialogues: the classifier fitted on train predicts the test dialogues
    whose domain train has. Returns metrics and details (counts, classifier, convergence)."""
    train_labels = sorted(set(train_domains))
    seen = np.array([domain in set(train_labels) for domain in test_domains], dtype=bool)
    classifier = logistic_regression(settings)
    converged = fit_classifier(classifier, train_x, np.asarray(train_domains))
    truth = np.asarray(test_domains)[seen]
    predicted = classifier.predict(test_x[seen]) if seen.any() else np.array([], dtype=str)
    details = {
        "protocol": "logreg_dialogue_domain",
        "dialogues": "single-domain dialogues (dialogue_domain_examples.is_single_domain)",
        "classifier": "sklearn.linear_model.LogisticRegression",
        "classifier_parameters": asdict(settings),
        "features": "the dialogue embeddings as returned, unscaled",
        "n_train_fitted": len(train_domains),
        "n_train_labels": len(train_labels),
        "n_test_scored": int(seen.sum()),
        "n_test_unseen_domain": int((~seen).sum()),
        "test_domains_unseen_in_train": sorted(set(np.asarray(test_domains)[~seen].tolist())),
        "converged": converged,
    }
    return classification_metrics(truth, predicted), details


def multilabel_metrics(
    true_sets: Sequence[frozenset[str]],
    predicted_sets: Sequence[frozenset[str]],
    labels: Sequence[str],
) -> dict[str, float]:
    """f1_micro, f1_macro (over labels, as scikit-learn, 0 for a label never true nor
    predicted) and subset_accuracy (the predicted set equals the true set)."""
    from sklearn.metrics import f1_score

    index = {label: i for i, label in enumerate(labels)}

    def binarise(sets):
        matrix = np.zeros((len(sets), len(labels)), dtype=np.int64)
        for row, members in enumerate(sets):
            for label in members:
                matrix[row, index[label]] = 1
        return matrix

    truth, predicted = binarise(true_sets), binarise(predicted_sets)
    return {
        "f1_micro": float(f1_score(truth, predicted, average="micro", zero_division=0)),
        "f1_macro": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "subset_accuracy": float(
            np.mean([t == p for t, p in zip(true_sets, predicted_sets, strict=True)])
        ),
    }


def evaluate_domain_multilabel(
    train_x: np.ndarray,
    train_sets: Sequence[frozenset[str]],
    test_x: np.ndarray,
    test_sets: Sequence[frozenset[str]],
    settings: LogRegSettings = DIALOGUE_CLASSIFIER,
    threshold: float = MULTILABEL_THRESHOLD,
) -> tuple[dict[str, float], dict]:
    """Every dialogue, its set of domains: one-vs-rest classifiers fitted on train predict the
    test dialogues all of whose domains train has."""
    labels = sorted(set().union(*train_sets))
    scored = np.array([members <= set(labels) for members in test_sets], dtype=bool)
    truth = [members for members, keep in zip(test_sets, scored, strict=True) if keep]
    probabilities = np.zeros((len(truth), len(labels)))
    converged = 0
    for column, label in enumerate(labels):
        target = np.array([label in members for members in train_sets], dtype=np.int64)
        if target.min() == target.max():  # every train dialogue has it, or none: constant
            probabilities[:, column] = float(target[0])
            converged += 1
            continue
        classifier = logistic_regression(settings)
        converged += fit_classifier(classifier, train_x, target)
        if len(truth):
            probabilities[:, column] = classifier.predict_proba(test_x[scored])[:, 1]
    predicted = []
    for row in probabilities:
        chosen = {labels[i] for i in np.flatnonzero(row >= threshold)}
        predicted.append(frozenset(chosen or {labels[int(np.argmax(row))]}))
    metrics = multilabel_metrics(truth, predicted, labels)
    multi = [i for i, members in enumerate(truth) if len(members) > 1]
    if multi:
        on_multi = multilabel_metrics(
            [truth[i] for i in multi], [predicted[i] for i in multi], labels
        )
        metrics["f1_micro_multi_domain"] = on_multi["f1_micro"]
        metrics["subset_accuracy_multi_domain"] = on_multi["subset_accuracy"]
    details = {
        "protocol": "logreg_one_vs_rest_dialogue_domains",
        "dialogues": "every dialogue, its set of domains",
        "classifier": "sklearn.linear_model.LogisticRegression per domain (one-vs-rest)",
        "classifier_parameters": asdict(settings),
        "features": "the dialogue embeddings as returned, unscaled",
        "decision": f"every domain with probability >= {threshold}, else the most probable",
        "n_train_fitted": len(train_sets),
        "n_train_multi_domain": sum(len(members) > 1 for members in train_sets),
        "n_labels": len(labels),
        "n_test_scored": len(truth),
        "n_test_multi_domain": len(multi),
        "n_test_unseen_domain": int((~scored).sum()),
        "classifiers_converged": converged,
    }
    return metrics, details


# --- clustering -----------------------------------------------------------------------------


def clustering_metrics(true_labels: Sequence, cluster_labels: Sequence) -> dict[str, float]:
    """v_measure and adjusted_rand_index of a clustering against the true labels."""
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    return {
        "v_measure": float(v_measure_score(true_labels, cluster_labels)),
        "adjusted_rand_index": float(adjusted_rand_score(true_labels, cluster_labels)),
    }


def evaluate_clustering(
    vectors: np.ndarray, domains: Sequence[str], seeds: Sequence[int] = CLUSTERING_SEEDS
) -> tuple[dict[str, float], dict]:
    """k-means with k = the number of domains, once per seed; mean and spread of the metrics."""
    from sklearn.cluster import KMeans

    k = len(set(domains))
    points = _normalise(vectors)
    per_seed = []
    for seed in seeds:
        clusters = KMeans(n_clusters=k, init="k-means++", n_init=1, random_state=seed).fit_predict(
            points
        )
        per_seed.append(clustering_metrics(list(domains), clusters))
    metrics = {name: float(np.mean([m[name] for m in per_seed])) for name in per_seed[0]}
    for name in list(metrics):
        metrics[f"{name}_std"] = float(np.std([m[name] for m in per_seed]))
    details = {
        "protocol": "kmeans_dialogue_domains",
        "dialogues": "single-domain test dialogues",
        "clusterer": "sklearn.cluster.KMeans",
        "clusterer_parameters": {"init": "k-means++", "n_init": 1},
        "k": k,
        "seeds": list(seeds),
        "features": "the dialogue embeddings, L2-normalised",
        "v_measure_per_seed": [round(m["v_measure"], 6) for m in per_seed],
    }
    return metrics, details


# --- retrieval ------------------------------------------------------------------------------


def label_set_retrieval_metrics(
    vectors: np.ndarray,
    label_sets: Sequence[str],
    ks: Sequence[int] = RETRIEVAL_KS,
    precision_k: int = PRECISION_K,
    block: int = QUERY_BLOCK,
) -> tuple[dict[str, float], int]:
    """map, mrr, recall_at_<k> and precision_at_<precision_k> of every dialogue as a query
    against all the others (a hit shares its label set); and the number of queries (dialogues
    whose label set no other dialogue has are not queries)."""
    points = _normalise(vectors)
    labels = np.unique(np.asarray(label_sets), return_inverse=True)[1]
    sizes = np.bincount(labels)
    queries = np.flatnonzero(sizes[labels] > 1)
    n = len(labels)
    average_precision, reciprocal_rank = [], []
    hits_at = {k: [] for k in ks}
    precision_at = []
    for start in range(0, len(queries), block):
        rows = queries[start : start + block]
        scores = points[rows] @ points.T
        scores[np.arange(len(rows)), rows] = -np.inf  # a dialogue is not its own candidate
        order = np.argsort(-scores, axis=1, kind="stable")[:, : n - 1]
        relevant = labels[order] == labels[rows][:, None]
        positions = np.arange(1, n)
        cumulative = np.cumsum(relevant, axis=1)
        n_relevant = relevant.sum(axis=1)
        precision_at_hits = (cumulative / positions) * relevant
        average_precision.extend((precision_at_hits.sum(axis=1) / n_relevant).tolist())
        reciprocal_rank.extend((1.0 / (relevant.argmax(axis=1) + 1)).tolist())
        for k in ks:
            hits_at[k].extend(relevant[:, :k].any(axis=1).tolist())
        precision_at.extend((relevant[:, :precision_k].sum(axis=1) / precision_k).tolist())
    metrics = {"map": float(np.mean(average_precision)), "mrr": float(np.mean(reciprocal_rank))}
    metrics.update({f"recall_at_{k}": float(np.mean(hits_at[k])) for k in ks})
    metrics[f"precision_at_{precision_k}"] = float(np.mean(precision_at))
    return metrics, len(queries)


def evaluate_retrieval(
    vectors: np.ndarray, label_sets: Sequence[str]
) -> tuple[dict[str, float], dict]:
    """Dialogue retrieval among the test dialogues; metrics and details."""
    metrics, n_queries = label_set_retrieval_metrics(vectors, label_sets)
    details = {
        "protocol": "dialogue_retrieval_by_label_set",
        "dialogues": "every test dialogue; queries: those whose label set another shares",
        "candidates": "every other test dialogue",
        "hit": "a candidate with the same label set (dialogue_domain_examples.label_set)",
        "similarity": "cosine",
        "ties": "in candidate order",
        "ks": list(RETRIEVAL_KS),
        "recall_at_k": "share of queries with a hit among the first k candidates",
        "n_candidates": len(label_sets) - 1,
        "n_queries": n_queries,
        "n_label_sets": len(set(label_sets)),
    }
    return metrics, details
