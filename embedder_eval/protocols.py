"""Intent classification on fixed embeddings: MTEB's protocol, full train set, k-shot prototypes.

MTEB's classification protocol (embeddings-benchmark/mteb, `mteb/abstasks/AbsTaskClassification.py`
and `mteb/evaluation/evaluators/ClassificationEvaluator.py` of the v1 releases that produced the
published leaderboard numbers; v2's `mteb/abstasks/classification.py` keeps the same sampling
"for backward compatibility with v1"):

- train on the `train` split, score on the task's eval split (`test` for Banking77);
- `n_experiments = 10` experiments; in each, the train indices are shuffled in place by a fresh
  `numpy.random.RandomState(42)` (the shuffles accumulate: experiment i sees the permutation
  applied i times) and the first `samples_per_label = 8` examples of each label in that order
  are kept (Banking77: 77 x 8 = 616 training examples per experiment);
- a scikit-learn `LogisticRegression(random_state=42, max_iter=100)` with its defaults (L2,
  C = 1.0, lbfgs, multinomial, tol 1e-4) is fitted on the sampled embeddings, unscaled, and
  predicts the whole eval split;
- metrics per experiment: accuracy, F1 macro (`f1`), F1 weighted; the reported value is the
  mean over experiments (MTEB publishes accuracy x 100), the standard deviation is kept too.

`full_train` fits the same classifier once on every train example (no sampling).

`prototypes` is DSE's similarity-based few-shot evaluation (amazon-research/dse,
`evaluate/run_similarity.py`, prototypical networks): k examples per label are drawn (here with
the same sampler as MTEB's), their L2-normalised embeddings averaged per label into a
prototype, and each L2-normalised test embedding takes the label of the prototype with the
largest dot product; DSE runs k = 1 and 5 over 10 draws and reports mean accuracy.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np

MTEB_SOURCE = (
    "embeddings-benchmark/mteb v1 AbsTaskClassification (n_experiments=10, samples_per_label=8, "
    "np.random.RandomState(42) cumulative shuffle) + logRegClassificationEvaluator "
    "(LogisticRegression(random_state=42, max_iter=100)); metrics accuracy, f1 (macro)"
)
DSE_SOURCE = (
    "amazon-research/dse evaluate/run_similarity.py "
    "eval_intent_classification_with_prototypical_net (k = 1, 5; 10 runs; mean of normalised "
    "support embeddings per label; argmax of dot product with the normalised query)"
)


@dataclass(frozen=True)
class LogRegSettings:
    """The classifier MTEB fits: scikit-learn LogisticRegression with these arguments."""

    max_iter: int = 100
    random_state: int = 42
    C: float = 1.0  # noqa: N815 (scikit-learn's name)
    solver: str = "lbfgs"
    tol: float = 1e-4


@dataclass(frozen=True)
class MtebProtocol:
    """MTEB's classification protocol (v1 defaults, which Banking77 does not override)."""

    n_experiments: int = 10
    samples_per_label: int = 8
    seed: int = 42
    classifier: LogRegSettings = LogRegSettings()

    def parameters(self) -> dict:
        return {
            "protocol": "mteb_classification",
            "n_experiments": self.n_experiments,
            "samples_per_label": self.samples_per_label,
            "undersampling_seed": self.seed,
            "undersampling": "RandomState(seed).shuffle of the train indices, cumulative "
            "across experiments; first samples_per_label per label",
            "classifier": "sklearn.linear_model.LogisticRegression",
            "classifier_parameters": asdict(self.classifier),
            "features": "the model's embeddings as returned, unscaled",
            "source": MTEB_SOURCE,
        }


@dataclass(frozen=True)
class PrototypeProtocol:
    """DSE's k-shot nearest-prototype classification."""

    shots: int = 1
    n_experiments: int = 10
    seed: int = 42

    def parameters(self) -> dict:
        return {
            "protocol": "dse_prototypes",
            "shots": self.shots,
            "n_experiments": self.n_experiments,
            "sampling_seed": self.seed,
            "sampling": "as intent_mteb's undersampling with samples_per_label = shots",
            "similarity": "dot product of L2-normalised query and mean of L2-normalised "
            "support embeddings (prototype not re-normalised)",
            "source": DSE_SOURCE,
        }


def undersample(labels: np.ndarray, samples_per_label: int, n_experiments: int, seed: int):
    """The train indices each experiment keeps, as MTEB's `_undersample_data` draws them."""
    indices = np.arange(len(labels))
    for _ in range(n_experiments):
        np.random.RandomState(seed).shuffle(indices)
        counts: dict[int, int] = defaultdict(int)
        kept = []
        for index in indices:
            label = int(labels[index])
            if counts[label] < samples_per_label:
                kept.append(int(index))
                counts[label] += 1
        yield np.array(kept, dtype=np.int64)


def classification_metrics(true_labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """accuracy, f1_macro and f1_weighted, as scikit-learn computes them (MTEB's metrics)."""
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": float(accuracy_score(true_labels, predicted)),
        "f1_macro": float(f1_score(true_labels, predicted, average="macro", zero_division=0)),
        "f1_weighted": float(f1_score(true_labels, predicted, average="weighted", zero_division=0)),
    }


def _mean_and_spread(per_experiment: list[dict[str, float]]) -> dict[str, float]:
    metrics = {
        name: float(np.mean([scores[name] for scores in per_experiment]))
        for name in per_experiment[0]
    }
    if len(per_experiment) > 1:
        for name in ("accuracy", "f1_macro"):
            metrics[f"{name}_std"] = float(np.std([scores[name] for scores in per_experiment]))
    return metrics


def logistic_regression(settings: LogRegSettings):
    """An unfitted scikit-learn LogisticRegression with these settings."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=settings.C,
        solver=settings.solver,
        tol=settings.tol,
        max_iter=settings.max_iter,
        random_state=settings.random_state,
    )


def fit_classifier(classifier, x: np.ndarray, y: np.ndarray) -> bool:
    """Fit; True when it converged."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        classifier.fit(x, y)
    return not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def fit_predict_logreg(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, settings: LogRegSettings
) -> tuple[np.ndarray, bool]:
    """Predicted test labels of a logistic regression fitted on train, and whether it converged."""
    classifier = logistic_regression(settings)
    converged = fit_classifier(classifier, train_x, train_y)
    return classifier.predict(test_x), converged


def evaluate_logreg_mteb(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    protocol: MtebProtocol = MtebProtocol(),
    draws: list[np.ndarray] | None = None,
) -> tuple[dict[str, float], dict]:
    """MTEB's protocol: mean metrics over the experiments, and what each experiment used.

    draws, when given, are the train indices of each experiment (as `undersample` drew them
    from a larger train set of which train_x holds only the drawn rows)."""
    per_experiment = []
    train_sizes = []
    converged = 0
    if draws is None:
        draws = list(
            undersample(train_y, protocol.samples_per_label, protocol.n_experiments, protocol.seed)
        )
    for kept in draws:
        predicted, did_converge = fit_predict_logreg(
            train_x[kept], train_y[kept], test_x, protocol.classifier
        )
        per_experiment.append(classification_metrics(test_y, predicted))
        train_sizes.append(len(kept))
        converged += did_converge
    details = {
        **protocol.parameters(),
        "n_train_sampled": train_sizes,
        "experiments_converged": converged,
        "accuracy_per_experiment": [round(s["accuracy"], 6) for s in per_experiment],
    }
    return _mean_and_spread(per_experiment), details


def evaluate_logreg_full(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    settings: LogRegSettings = LogRegSettings(),
) -> tuple[dict[str, float], dict]:
    """The same classifier fitted once on the whole train split."""
    predicted, converged = fit_predict_logreg(train_x, train_y, test_x, settings)
    details = {
        "protocol": "logreg_full_train",
        "n_experiments": 1,
        "classifier": "sklearn.linear_model.LogisticRegression",
        "classifier_parameters": asdict(settings),
        "features": "the model's embeddings as returned, unscaled",
        "n_train_sampled": [len(train_y)],
        "experiments_converged": int(converged),
        "source": "as intent_mteb, without undersampling (one fit on every train example)",
    }
    return classification_metrics(test_y, predicted), details


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def predict_prototypes(
    support_x: np.ndarray, support_y: np.ndarray, query_x: np.ndarray
) -> np.ndarray:
    """Labels of the nearest prototype (mean normalised support embedding) by dot product."""
    labels = np.unique(support_y)
    support = _normalise(support_x.astype(np.float64))
    prototypes = np.stack([support[support_y == label].mean(axis=0) for label in labels])
    similarity = _normalise(query_x.astype(np.float64)) @ prototypes.T
    return labels[similarity.argmax(axis=1)]


def evaluate_prototypes(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    protocol: PrototypeProtocol = PrototypeProtocol(),
) -> tuple[dict[str, float], dict]:
    """DSE's k-shot prototypes: mean metrics over the draws."""
    per_experiment = []
    for kept in undersample(train_y, protocol.shots, protocol.n_experiments, protocol.seed):
        predicted = predict_prototypes(train_x[kept], train_y[kept], test_x)
        per_experiment.append(classification_metrics(test_y, predicted))
    details = {
        **protocol.parameters(),
        "accuracy_per_experiment": [round(s["accuracy"], 6) for s in per_experiment],
    }
    return _mean_and_spread(per_experiment), details


def drawn_subset(labels: np.ndarray, draws: list[np.ndarray]) -> tuple[np.ndarray, list]:
    """The sorted union of the draws' indices, and each draw as positions in that union: only
    those train examples need embedding."""
    union = np.unique(np.concatenate(draws)) if draws else np.zeros(0, dtype=np.int64)
    position = {int(index): i for i, index in enumerate(union)}
    return union, [np.array([position[int(i)] for i in kept], dtype=np.int64) for kept in draws]


# --- out-of-scope detection -----------------------------------------------------------------

OOS_SOURCE = (
    "DSE (amazon-research/dse) evaluates out-of-scope detection on CLINC150; here: in-scope "
    "test examples are positives, oos test examples negatives; AUROC by scikit-learn "
    "roc_auc_score; FPR at 95% in-scope recall = share of oos examples scoring at or above "
    "the score that keeps 95% of in-scope examples"
)


def oos_metrics(in_scope_scores: np.ndarray, out_of_scope_scores: np.ndarray) -> dict[str, float]:
    """auroc (in-scope as positives) and fpr_at_95_recall of an in-scope score."""
    from sklearn.metrics import roc_auc_score

    scores = np.concatenate([in_scope_scores, out_of_scope_scores])
    truth = np.concatenate([np.ones(len(in_scope_scores)), np.zeros(len(out_of_scope_scores))])
    # The threshold keeping 95% of in-scope examples: the 5th percentile, from below.
    threshold = np.sort(in_scope_scores)[int(np.floor(0.05 * len(in_scope_scores)))]
    return {
        "auroc": float(roc_auc_score(truth, scores)),
        "fpr_at_95_recall": float(np.mean(out_of_scope_scores >= threshold)),
    }


def oos_scores_prototype(
    train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray
) -> np.ndarray:
    """Per test example, the largest cosine similarity to a label's prototype (the mean of
    every normalised in-scope train embedding of the label)."""
    labels = np.unique(train_y)
    support = _normalise(train_x.astype(np.float64))
    prototypes = _normalise(np.stack([support[train_y == label].mean(axis=0) for label in labels]))
    return (_normalise(test_x.astype(np.float64)) @ prototypes.T).max(axis=1)


def oos_scores_classifier(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    settings: LogRegSettings = LogRegSettings(),
) -> tuple[np.ndarray, bool]:
    """Per test example, the largest class probability of the logistic regression fitted on
    every in-scope train example (as intent_full fits it), and whether it converged."""
    classifier = logistic_regression(settings)
    converged = fit_classifier(classifier, train_x, train_y)
    return classifier.predict_proba(test_x).max(axis=1), converged


def evaluate_oos(
    train_x: np.ndarray,
    train_y: np.ndarray,
    train_oos: np.ndarray,
    test_x: np.ndarray,
    test_oos: np.ndarray,
) -> dict[str, tuple[dict[str, float], dict]]:
    """Out-of-scope detection with two in-scope scores: 'oos_prototype' (max similarity to
    the in-scope train prototypes) and 'oos_classifier' (the classifier's confidence)."""
    in_train = ~train_oos
    common = {
        "n_train_in_scope": int(in_train.sum()),
        "n_test_in_scope": int((~test_oos).sum()),
        "n_test_out_of_scope": int(test_oos.sum()),
        "positives": "in-scope test examples",
        "source": OOS_SOURCE,
    }
    prototype = oos_scores_prototype(train_x[in_train], train_y[in_train], test_x)
    confidence, converged = oos_scores_classifier(train_x[in_train], train_y[in_train], test_x)
    return {
        "oos_prototype": (
            oos_metrics(prototype[~test_oos], prototype[test_oos]),
            {**common, "protocol": "oos_max_prototype_similarity", "similarity": "cosine"},
        ),
        "oos_classifier": (
            oos_metrics(confidence[~test_oos], confidence[test_oos]),
            {
                **common,
                "protocol": "oos_max_class_probability",
                "classifier": "sklearn.linear_model.LogisticRegression",
                "classifier_parameters": asdict(LogRegSettings()),
                "experiments_converged": int(converged),
            },
        ),
    }
