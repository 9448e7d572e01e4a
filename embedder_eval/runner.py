"""One evaluation run: read the sets, embed each once, score every task, write the results file."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from embedder_eval import data, dialogue_tasks, protocols, retrieval
from embedder_eval.results import (
    Score,
    ensure_results_placeholder,
    new_run_id,
    scores_table,
    write_results,
)

INTENT_TASKS = ("intent_mteb", "intent_full", "intent_prototype", "oos_detection")
PAIR_TASKS = ("next_turn",)
DIALOGUE_INTENT_TASKS = ("dialogue_intent",)
DIALOGUE_DOMAIN_TASKS = ("dialogue_domain", "dialogue_clustering", "dialogue_retrieval")
TASKS = INTENT_TASKS + PAIR_TASKS + DIALOGUE_INTENT_TASKS + DIALOGUE_DOMAIN_TASKS
DEFAULT_SHOTS = (1, 5)
DEFAULT_DIALOGUE_TEST_LIMIT = 2000  # test turns per dataset of dialogue_intent (seeded sample)
# Whole-dialogue tasks: train and test dialogues per dataset and locale (seeded samples).
DEFAULT_DOMAIN_TRAIN_LIMIT = 1000
DEFAULT_DOMAIN_TEST_LIMIT = 1000
DEFAULT_DIALOGUE_INPUTS = ("joined",)


def percent(value: float) -> str:
    """A score as people read it (MTEB publishes percent): 0.80041 -> '80.04'."""
    return f"{value * 100:.2f}"


Progress = Callable[[str], None]


@dataclass
class RunOptions:
    """What to evaluate and where things are; None for datasets/locales/tasks means all."""

    model: str
    warehouse: Path
    results_dir: Path
    cache_dir: Path | None
    revision: str | None = None
    model_name: str | None = None
    datasets: list[str] | None = None
    locales: list[str] | None = None
    tasks: list[str] | None = None
    shots: tuple[int, ...] = DEFAULT_SHOTS
    batch_size: int = 32
    device: str = "cpu"
    dialogue_test_limit: int | None = DEFAULT_DIALOGUE_TEST_LIMIT
    dialogue_inputs: tuple[str, ...] = DEFAULT_DIALOGUE_INPUTS
    domain_train_limit: int | None = DEFAULT_DOMAIN_TRAIN_LIMIT
    domain_test_limit: int | None = DEFAULT_DOMAIN_TEST_LIMIT
    progress: Progress = print


@dataclass
class RunOutcome:
    """What a run produced."""

    run_id: str
    results_path: Path
    scores: list[Score]
    seconds: float
    model: str
    model_revision: str
    notes: list[str] = field(default_factory=list)


def _package_versions() -> dict[str, str]:
    versions = {}
    for package in ("sentence-transformers", "transformers", "torch", "scikit-learn", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    return versions


def _describe(available: list[tuple[str, str]]) -> str:
    return ", ".join(sorted({dataset for dataset, _ in available})) or "none"


@dataclass
class Plan:
    """What a run evaluates: tasks, the (dataset, locale) groups of each kind, notes."""

    tasks: list[str]
    intent_groups: list[tuple]
    pair_groups: list[tuple]
    dialogue_groups: list[tuple]
    domain_groups: list[tuple]
    notes: list[str]


def plan(options: RunOptions, connection) -> Plan:
    """Tasks, intent, pair, dialogue-intent and dialogue-domain groups to run, and notes on
    what is skipped.

    Raises data.SelectionError for an unknown task, dataset, locale or dialogue input, and
    data.WarehouseError when an explicitly asked task has no mart to read.
    """
    tasks = options.tasks or list(TASKS)
    unknown_tasks = sorted(set(tasks) - set(TASKS))
    if unknown_tasks:
        raise data.SelectionError(
            f"unknown task(s) {', '.join(unknown_tasks)}; choose from {', '.join(TASKS)}"
        )
    unknown_inputs = sorted(set(options.dialogue_inputs) - set(dialogue_tasks.DIALOGUE_INPUTS))
    if unknown_inputs or not options.dialogue_inputs:
        raise data.SelectionError(
            f"unknown dialogue input(s) {', '.join(unknown_inputs) or '(none given)'}; choose "
            f"from {', '.join(dialogue_tasks.DIALOGUE_INPUTS)}"
        )
    notes = []
    intent_available = data.intent_groups_available(connection)
    pair_available = data.pair_groups_available(connection)
    dialogue_available = data.dialogue_intent_groups_available(connection)
    domain_available = data.dialogue_domain_groups_available(connection)
    if "next_turn" in tasks and not data.has_pairs_mart(connection):
        if options.tasks:
            raise data.WarehouseError(
                f"the warehouse {options.warehouse} has no utterance_pairs mart for next_turn"
            )
        notes.append("next_turn skipped: the warehouse has no utterance_pairs mart")
        tasks = [task for task in tasks if task != "next_turn"]
    asked_domain_tasks = [task for task in tasks if task in DIALOGUE_DOMAIN_TASKS]
    if asked_domain_tasks and not data.has_domain_mart(connection):
        if options.tasks:
            raise data.WarehouseError(
                f"the warehouse {options.warehouse} has no {data.DOMAIN_MART} mart for "
                f"{', '.join(asked_domain_tasks)}: rebuild it (python run_pipeline.py)"
            )
        notes.append(
            f"{', '.join(asked_domain_tasks)} skipped: the warehouse has no {data.DOMAIN_MART} "
            "mart (built before it existed)"
        )
        tasks = [task for task in tasks if task not in DIALOGUE_DOMAIN_TASKS]
    if options.datasets:
        known = {
            dataset
            for dataset, _ in intent_available
            + pair_available
            + dialogue_available
            + domain_available
        }
        unknown = sorted(set(options.datasets) - known)
        if unknown:
            raise data.SelectionError(
                f"unknown dataset(s) {', '.join(unknown)}: the warehouse has intent sets "
                f"{_describe(intent_available)}, test next_turn pairs of "
                f"{_describe(pair_available)} and labelled test dialogues of "
                f"{_describe(domain_available)}"
            )

    def selected(available: list[tuple[str, str]], read: bool) -> list[tuple[str, str]]:
        """The available groups of the asked datasets and locales; none if no task reads them."""
        return data.select_groups(available, options.datasets, options.locales) if read else []

    intent_groups = selected(intent_available, any(task in INTENT_TASKS for task in tasks))
    pair_groups = selected(pair_available, "next_turn" in tasks)
    dialogue_groups = selected(dialogue_available, "dialogue_intent" in tasks)
    domain_groups = selected(domain_available, any(task in DIALOGUE_DOMAIN_TASKS for task in tasks))
    if options.locales:
        seen = {
            locale for _, locale in intent_groups + pair_groups + dialogue_groups + domain_groups
        }
        missing = sorted(set(options.locales) - seen)
        if missing and not seen:
            raise data.SelectionError(f"no selected dataset has locale(s) {', '.join(missing)}")
        if missing:
            notes.append(f"no selected dataset has locale(s) {', '.join(missing)}")
    if (
        not intent_available
        and not data.has_pairs_mart(connection)
        and not data.has_domain_mart(connection)
    ):
        raise data.WarehouseError(
            f"the warehouse {options.warehouse} has neither intent_examples nor utterance_pairs "
            "to evaluate on: build it first (python run_pipeline.py)"
        )
    if not intent_groups and not pair_groups and not dialogue_groups and not domain_groups:
        raise data.SelectionError(
            "nothing to evaluate: no selected dataset has data for the selected tasks "
            f"(intent sets: {_describe(intent_available)}; "
            f"next_turn pairs: {_describe(pair_available)}; "
            f"labelled test dialogues: {_describe(domain_available)})"
        )
    return Plan(tasks, intent_groups, pair_groups, dialogue_groups, domain_groups, notes)


def _embedding_parameters(embedder, before: dict[str, Any], seconds: float) -> dict[str, Any]:
    stats = embedder.stats
    return {
        "embedding_seconds": round(seconds, 3),
        "embedding_distinct_texts": stats.requested - before["requested"],
        "embedding_cache_hits": stats.cache_hits - before["cache_hits"],
        "embedding_encoded": stats.encoded - before["encoded"],
        "embedding_batch_size": getattr(embedder, "batch_size", None),
        "embedding_device": getattr(embedder, "device", None),
        "embedding_cache_key": getattr(embedder, "key", None),
    }


def _snapshot(embedder) -> dict[str, int]:
    stats = embedder.stats
    return {"requested": stats.requested, "cache_hits": stats.cache_hits, "encoded": stats.encoded}


def _scores(
    metrics: dict[str, float],
    *,
    dataset: str,
    locale: str,
    task: str,
    n_examples: int,
    parameters: dict[str, Any],
    seconds: float,
) -> list[Score]:
    return [
        Score(dataset, locale, task, metric, value, n_examples, parameters, seconds)
        for metric, value in metrics.items()
    ]


def evaluate_intent_set(
    intent_set: data.IntentSet,
    embedder,
    tasks: list[str],
    shots: tuple[int, ...],
    common: dict[str, Any],
    progress: Progress,
) -> list[Score]:
    """Every asked intent task on one dataset and locale, its texts embedded once."""
    label = f"{intent_set.dataset}/{intent_set.locale}"
    before = _snapshot(embedder)
    started = time.monotonic()
    vectors = embedder.embed(intent_set.train_texts + intent_set.test_texts, label=label)
    embedding = _embedding_parameters(embedder, before, time.monotonic() - started)
    n_train = len(intent_set.train_texts)
    train_x, test_x = vectors[:n_train], vectors[n_train:]
    train_y, test_y = intent_set.train_labels, intent_set.test_labels
    sizes = {
        "train_split": data.TRAIN_SPLIT,
        "eval_split": data.EVAL_SPLIT,
        "n_train": n_train,
        "n_test": len(test_y),
        "n_labels": intent_set.n_labels,
        "n_train_labels": int(len(np.unique(train_y))),
        "n_test_out_of_scope": intent_set.n_test_out_of_scope,
    }
    runs: list[tuple[str, Callable[[], tuple[dict, dict]]]] = []
    if "intent_mteb" in tasks:
        runs.append(
            (
                "intent_mteb",
                lambda: protocols.evaluate_logreg_mteb(train_x, train_y, test_x, test_y),
            )
        )
    if "intent_full" in tasks:
        runs.append(
            (
                "intent_full",
                lambda: protocols.evaluate_logreg_full(train_x, train_y, test_x, test_y),
            )
        )
    if "intent_prototype" in tasks:
        for k in shots:
            runs.append(
                (
                    f"intent_prototype_{k}shot",
                    lambda k=k: protocols.evaluate_prototypes(
                        train_x, train_y, test_x, test_y, protocols.PrototypeProtocol(shots=k)
                    ),
                )
            )
    has_oos = intent_set.test_out_of_scope is not None and intent_set.n_test_out_of_scope > 0
    if "oos_detection" in tasks and has_oos and (~intent_set.train_out_of_scope).any():
        outcome: dict = {}

        def oos(name):
            if not outcome:
                outcome.update(
                    protocols.evaluate_oos(
                        train_x,
                        train_y,
                        intent_set.train_out_of_scope,
                        test_x,
                        intent_set.test_out_of_scope,
                    )
                )
            return outcome[name]

        runs.append(("oos_prototype", lambda: oos("oos_prototype")))
        runs.append(("oos_classifier", lambda: oos("oos_classifier")))
    scores = []
    for task, run in runs:
        if len(test_y) == 0 or n_train == 0:
            progress(f"{task} {label}: skipped, no train or test examples")
            continue
        task_started = time.monotonic()
        metrics, details = run()
        seconds = time.monotonic() - task_started
        parameters = {**common, **sizes, **embedding, **details}
        scores += _scores(
            metrics,
            dataset=intent_set.dataset,
            locale=intent_set.locale,
            task=task,
            n_examples=len(test_y),
            parameters=parameters,
            seconds=seconds,
        )
        progress(f"{task} {label}: {_headline(metrics, INTENT_HEADLINE_NAMES)} ({seconds:.1f}s)")
    return scores


# The metrics a progress line shows, by the name it shows them under.
INTENT_HEADLINE_NAMES = {
    "accuracy": "accuracy",
    "f1_macro": "macro-F1",
    "auroc": "AUROC",
    "fpr_at_95_recall": "FPR@95%TPR",
}
DIALOGUE_HEADLINE_NAMES = {
    "accuracy": "accuracy",
    "f1_macro": "macro-F1",
    "f1_micro": "micro-F1",
    "subset_accuracy": "exact set",
    "v_measure": "V-measure",
    "adjusted_rand_index": "ARI",
    "map": "MAP",
    "recall_at_1": "R@1",
    "recall_at_10": "R@10",
}


def _headline(metrics: dict[str, float], names: dict[str, str]) -> str:
    """`<name> <percent>` of each of the named metrics present, in the order of names."""
    return ", ".join(
        f"{shown} {percent(metrics[metric])}"
        for metric, shown in names.items()
        if metric in metrics
    )


def evaluate_dialogue_intent_set(
    intent_set: data.DialogueIntentSet, embedder, common: dict[str, Any], progress: Progress
) -> list[Score]:
    """MTEB's protocol on single-intent user turns, the turn alone and with its context.

    Only the train turns some experiment draws are embedded (at most 8 x 10 per label)."""
    label = f"{intent_set.dataset}/{intent_set.locale}"
    if not intent_set.test_texts or not intent_set.train_texts:
        progress(f"dialogue_intent {label}: skipped, no train or test turns")
        return []
    protocol = protocols.MtebProtocol()
    draws = list(
        protocols.undersample(
            intent_set.train_labels,
            protocol.samples_per_label,
            protocol.n_experiments,
            protocol.seed,
        )
    )
    union, local_draws = protocols.drawn_subset(intent_set.train_labels, draws)
    scores = []
    for task, train_texts, test_texts in (
        ("dialogue_intent_turn", intent_set.train_texts, intent_set.test_texts),
        ("dialogue_intent_context", intent_set.train_contexts, intent_set.test_contexts),
    ):
        before = _snapshot(embedder)
        started = time.monotonic()
        drawn_texts = [train_texts[i] for i in union]
        vectors = embedder.embed(drawn_texts + test_texts, label=f"{label} {task}")
        embedding = _embedding_parameters(embedder, before, time.monotonic() - started)
        train_x, test_x = vectors[: len(union)], vectors[len(union) :]
        task_started = time.monotonic()
        metrics, details = protocols.evaluate_logreg_mteb(
            train_x,
            intent_set.train_labels[union],
            test_x,
            intent_set.test_labels,
            protocol,
            draws=local_draws,
        )
        seconds = time.monotonic() - task_started
        parameters = {
            **common,
            "train_split": data.TRAIN_SPLIT,
            "eval_split": data.EVAL_SPLIT,
            "input": "the user turn"
            if task == "dialogue_intent_turn"
            else f"up to {data.CONTEXT_TURNS} turns before the user turn and the turn, "
            "speaker-tagged lines",
            "examples": "dialogue_intent_examples with n_turn_intents = 1",
            "n_train": len(intent_set.train_texts),
            "n_test": len(intent_set.test_texts),
            "n_test_available": intent_set.n_test_available,
            "test_sample": "seeded (RandomState(42)) permutation"
            if intent_set.n_test_available > len(intent_set.test_texts)
            else "every test turn",
            "n_labels": intent_set.n_labels,
            **embedding,
            **details,
        }
        scores += _scores(
            metrics,
            dataset=intent_set.dataset,
            locale=intent_set.locale,
            task=task,
            n_examples=len(intent_set.test_texts),
            parameters=parameters,
            seconds=seconds,
        )
        progress(f"{task} {label}: {_headline(metrics, INTENT_HEADLINE_NAMES)} ({seconds:.1f}s)")
    return scores


def evaluate_pair_set(
    pair_set: data.PairSet, embedder, common: dict[str, Any], progress: Progress
) -> list[Score]:
    """next_turn retrieval on one dataset and locale's test pairs."""
    label = f"{pair_set.dataset}/{pair_set.locale}"
    if not pair_set.anchor_texts:
        progress(f"next_turn {label}: skipped, no pairs")
        return []
    task = retrieval.build_task(pair_set.anchor_texts, pair_set.positive_texts)
    before = _snapshot(embedder)
    started = time.monotonic()
    vectors = embedder.embed(task.texts, label=f"{label} pairs")
    embedding = _embedding_parameters(embedder, before, time.monotonic() - started)
    task_started = time.monotonic()
    metrics, details = retrieval.evaluate_next_turn(task, vectors)
    seconds = time.monotonic() - task_started
    parameters = {
        **common,
        "split": pair_set.split,
        "pair_type": "next_turn",
        **embedding,
        **details,
    }
    progress(
        f"next_turn {label}: recall@1 {percent(metrics['recall_at_1'])}, "
        f"@5 {percent(metrics['recall_at_5'])}, @10 {percent(metrics['recall_at_10'])} "
        f"over {len(task.query_index):,} queries, {len(task.candidate_index):,} candidates "
        f"({seconds:.1f}s)"
    )
    return _scores(
        metrics,
        dataset=pair_set.dataset,
        locale=pair_set.locale,
        task="next_turn",
        n_examples=len(task.query_index),
        parameters=parameters,
        seconds=seconds,
    )


# --- whole dialogues: domain classification, clustering, retrieval ----------------------------


def load_domain_sets(
    connection, groups: list[tuple], tasks: list[str], options: RunOptions, notes: list[str]
) -> list[data.DialogueDomainSet]:
    """The dialogue-domain sets to score: each dataset and locale whose test dialogues have
    more than one label set, then, per locale with two or more datasets, their pool (a dataset
    with one domain, such as WOZ 2.0, is scored only in the pool)."""
    with_train = "dialogue_domain" in tasks
    by_locale: dict[str, list[data.DialogueDomainSet]] = {}
    alone: list[data.DialogueDomainSet] = []
    for dataset, locale in groups:
        counts = data.dialogue_domain_counts(connection, dataset, locale)
        domain_set = data.load_dialogue_domain_set(
            connection,
            dataset,
            locale,
            options.domain_train_limit,
            options.domain_test_limit,
            with_train=with_train,
        )
        by_locale.setdefault(locale, []).append(domain_set)
        if counts["n_test_label_sets"] > 1:
            alone.append(domain_set)
        else:
            notes.append(
                f"whole-dialogue tasks on {dataset}/{locale} alone skipped: its test dialogues "
                "have one domain (it is scored in the pool of its locale's datasets, if any)"
            )
    pools = [data.pooled_dialogue_domain_set(sets) for sets in by_locale.values() if len(sets) > 1]
    return alone + pools


def _sample_description(available: int, kept: int, limit: int | None) -> str:
    if kept < available:
        return f"seeded (RandomState(42)) sample of at most {limit} per dataset"
    return "every dialogue"


def _embed_dialogues(
    dialogues: data.LabelledDialogues,
    embedder,
    dialogue_input: str,
    label: str,
    joined_texts: dict[str, tuple[str, int]],
) -> tuple[np.ndarray, dict[str, Any]]:
    """One embedding per dialogue, as dialogue_input reads it, and what was read."""
    if dialogue_input == "joined":
        limit = embedder.token_limit()
        missing = [i for i, key in enumerate(dialogues.dialogue_ids) if key not in joined_texts]
        texts, kept = dialogue_tasks.joined_within_limit(
            [dialogues.lines[i] for i in missing], limit
        )
        for i, text, n_kept in zip(missing, texts, kept, strict=True):
            whole = n_kept == len(dialogues.lines[i])
            read_text = dialogues.texts[i] if whole else text
            joined_texts[dialogues.dialogue_ids[i]] = (read_text, n_kept)
        read = [joined_texts[key] for key in dialogues.dialogue_ids]
        n_lines = [len(lines) for lines in dialogues.lines]
        truncated = [n_kept / n for (_, n_kept), n in zip(read, n_lines, strict=True) if n_kept < n]
        vectors = embedder.embed([text for text, _ in read], label=f"{label} joined dialogues")
        return vectors, {
            "max_tokens": limit.max_tokens,
            "tokenizer": limit.source,
            "n_dialogues_cut": len(truncated),
            "share_of_dialogues_cut": round(len(truncated) / max(len(read), 1), 6),
            "mean_share_of_turns_kept_when_cut": round(float(np.mean(truncated)), 6)
            if truncated
            else None,
        }
    flat = [line for lines in dialogues.lines for line in lines]
    owners = np.repeat(np.arange(len(dialogues)), [len(lines) for lines in dialogues.lines])
    vectors = embedder.embed(flat, label=f"{label} pooled turns")
    pooled = dialogue_tasks.mean_pool(vectors, owners, len(dialogues))
    return pooled, {"n_turns_embedded": len(flat), "pooling": "mean of the turns' embeddings"}


def evaluate_dialogue_domain_set(
    domain_set: data.DialogueDomainSet,
    embedder,
    tasks: list[str],
    options: RunOptions,
    common: dict[str, Any],
    progress: Progress,
    joined_texts: dict[str, tuple[str, int]],
) -> list[Score]:
    """The asked whole-dialogue tasks on one set, once per dialogue input; each input's
    dialogues are embedded once (train only when domain classification is asked)."""
    label = f"{domain_set.dataset}/{domain_set.locale}"
    train, test = domain_set.train, domain_set.test
    with_train = "dialogue_domain" in tasks and len(train) > 0
    dialogues = data.LabelledDialogues.concatenate([train, test]) if with_train else test
    n_train = len(train) if with_train else 0
    sizes = {
        "train_split": data.TRAIN_SPLIT,
        "eval_split": data.EVAL_SPLIT,
        "datasets": domain_set.datasets,
        "labels": "dialogue_domain_examples.domains (normalised by the dialogue_domain_labels "
        "seed)",
        "n_train_available": domain_set.n_train_available,
        "n_test_available": domain_set.n_test_available,
        "n_train": len(train),
        "n_test": len(test),
        "train_sample": _sample_description(
            domain_set.n_train_available, len(train), options.domain_train_limit
        ),
        "test_sample": _sample_description(
            domain_set.n_test_available, len(test), options.domain_test_limit
        ),
        "train_limit_per_dataset": options.domain_train_limit,
        "test_limit_per_dataset": options.domain_test_limit,
    }
    scores: list[Score] = []
    for dialogue_input in options.dialogue_inputs:
        before = _snapshot(embedder)
        started = time.monotonic()
        vectors, read = _embed_dialogues(dialogues, embedder, dialogue_input, label, joined_texts)
        embedding = _embedding_parameters(embedder, before, time.monotonic() - started)
        train_x, test_x = vectors[:n_train], vectors[n_train:]
        runs: list[tuple[str, int, Callable[[], tuple[dict, dict]]]] = []
        if "dialogue_domain" in tasks:
            train_single, test_single = train.single_domain, test.single_domain
            train_domains = [next(iter(train.domain_sets[i])) for i in train_single]
            test_domains = [next(iter(test.domain_sets[i])) for i in test_single]
            seen = set(train_domains)
            n_scored = sum(domain in seen for domain in test_domains)
            if with_train and len(seen) > 1 and n_scored:
                runs.append(
                    (
                        "dialogue_domain",
                        n_scored,
                        partial(
                            dialogue_tasks.evaluate_domain_classification,
                            train_x[train_single],
                            train_domains,
                            test_x[test_single],
                            test_domains,
                        ),
                    )
                )
            else:
                progress(
                    f"dialogue_domain_{dialogue_input} {label}: skipped, fewer than two train "
                    "domains or no test dialogue of a train domain"
                )
            train_all = set().union(*train.domain_sets) if len(train) else set()
            multilabel_scored = [members <= train_all for members in test.domain_sets]
            has_multi = any(len(members) > 1 for members in train.domain_sets) and any(
                len(members) > 1 and scored
                for members, scored in zip(test.domain_sets, multilabel_scored, strict=True)
            )
            if with_train and has_multi:
                runs.append(
                    (
                        "dialogue_domain_multilabel",
                        sum(multilabel_scored),
                        partial(
                            dialogue_tasks.evaluate_domain_multilabel,
                            train_x,
                            train.domain_sets,
                            test_x,
                            test.domain_sets,
                        ),
                    )
                )
            else:
                progress(
                    f"dialogue_domain_multilabel_{dialogue_input} {label}: skipped, no "
                    "multi-domain dialogues in both train and test"
                )
        if "dialogue_clustering" in tasks:
            single = test.single_domain
            domains = [next(iter(test.domain_sets[i])) for i in single]
            if len(set(domains)) > 1:
                runs.append(
                    (
                        "dialogue_clustering",
                        len(single),
                        partial(dialogue_tasks.evaluate_clustering, test_x[single], domains),
                    )
                )
            else:
                progress(f"dialogue_clustering_{dialogue_input} {label}: skipped, one domain")
        if "dialogue_retrieval" in tasks:
            shared = Counter(test.label_sets)
            if len(shared) > 1 and max(shared.values()) > 1:  # two label sets; a query
                runs.append(
                    (
                        "dialogue_retrieval",
                        0,  # the number of queries, known once it ran
                        partial(dialogue_tasks.evaluate_retrieval, test_x, test.label_sets),
                    )
                )
            else:
                progress(
                    f"dialogue_retrieval_{dialogue_input} {label}: skipped, one label set or "
                    "none shared by two test dialogues"
                )
        for task, n_examples, run in runs:
            name = f"{task}_{dialogue_input}"
            task_started = time.monotonic()
            metrics, details = run()
            seconds = time.monotonic() - task_started
            parameters = {
                **common,
                **sizes,
                "input": dialogue_input,
                "input_description": dialogue_tasks.INPUT_DESCRIPTIONS[dialogue_input],
                **read,
                **embedding,
                **details,
            }
            scores += _scores(
                metrics,
                dataset=domain_set.dataset,
                locale=domain_set.locale,
                task=name,
                n_examples=details.get("n_queries", n_examples),
                parameters=parameters,
                seconds=seconds,
            )
            progress(
                f"{name} {label}: {_headline(metrics, DIALOGUE_HEADLINE_NAMES)} ({seconds:.1f}s)"
            )
    return scores


def make_embedder(options: RunOptions):
    """The Embedder of options.model (resolving its identity; loading it only when needed)."""
    from embedder_eval.embedding import Embedder, resolve_model

    spec = resolve_model(options.model, options.revision, options.model_name)
    return Embedder(
        spec,
        options.cache_dir,
        batch_size=options.batch_size,
        device=options.device,
        progress=options.progress,
    )


def run_evaluation(options: RunOptions, embedder=None) -> RunOutcome:
    """Evaluate options.model and write data/evaluations/<run_id>.parquet."""
    progress = options.progress
    started_at = datetime.now(UTC)
    started = time.monotonic()
    connection = data.connect(options.warehouse)
    try:
        chosen = plan(options, connection)
        tasks, notes = chosen.tasks, chosen.notes
        intent_sets = [data.load_intent_set(connection, *group) for group in chosen.intent_groups]
        pair_sets = [data.load_pair_set(connection, *group) for group in chosen.pair_groups]
        dialogue_sets = [
            data.load_dialogue_intent_set(connection, *group, options.dialogue_test_limit)
            for group in chosen.dialogue_groups
        ]
        domain_sets = load_domain_sets(connection, chosen.domain_groups, tasks, options, notes)
    finally:
        connection.close()
    for note in notes:
        progress(f"note: {note}")
    if embedder is None:
        embedder = make_embedder(options)
    spec = embedder.spec
    progress(
        f"model: {spec.name} revision {embedder.revision}"
        + (f" (from {spec.packaged_by})" if spec.packaged_by else "")
        + (f"; embedding cache {embedder.cache_folder}" if embedder.cache_folder else "")
    )
    common = {
        "model_reference": spec.reference,
        "packaged_by": spec.packaged_by,
        "base_model": spec.base_model,
        "training": spec.training,
        "versions": _package_versions(),
    }
    scores: list[Score] = []
    for intent_set in intent_sets:
        scores += evaluate_intent_set(intent_set, embedder, tasks, options.shots, common, progress)
    for pair_set in pair_sets:
        scores += evaluate_pair_set(pair_set, embedder, common, progress)
    for dialogue_set in dialogue_sets:
        scores += evaluate_dialogue_intent_set(dialogue_set, embedder, common, progress)
    joined_texts: dict[str, tuple[str, int]] = {}  # dialogue id -> text read, turns kept
    for domain_set in domain_sets:
        scores += evaluate_dialogue_domain_set(
            domain_set, embedder, tasks, options, common, progress, joined_texts
        )
    if not scores:
        raise RuntimeError("nothing was scored: every selected set was empty")
    run_id = new_run_id(started_at, embedder.key)
    table = scores_table(
        scores,
        run_id=run_id,
        model=spec.name,
        model_revision=embedder.revision,
        started_at=started_at,
    )
    path = write_results(table, options.results_dir, run_id)
    return RunOutcome(
        run_id=run_id,
        results_path=path,
        scores=scores,
        seconds=time.monotonic() - started,
        model=spec.name,
        model_revision=embedder.revision,
        notes=notes,
    )


def refresh_warehouse(
    warehouse: Path, results_dir: Path, raw_dir: Path, target_dir: Path | None = None
) -> None:
    """Rebuild only the evaluation models of the warehouse, in place, from the result files.

    Unlike `python run_pipeline.py`, this writes into the live warehouse file (no atomic swap);
    it fails while another process holds the file open, and while another run holds the data
    folder (the warehouse's folder): one writer at a time, as for the pipeline.
    """
    from warehouse.build import run_dbt
    from warehouse.run_lock import DataFolderLock

    arguments = ["build", "--select", "stg_evaluations__scores", "embedder_scores"]
    warehouse, raw_dir = Path(warehouse).resolve(), Path(raw_dir).resolve()
    results_dir = Path(results_dir).resolve()
    with DataFolderLock(warehouse.parent, "embedder_eval --refresh-warehouse"):
        ensure_results_placeholder(results_dir)
        result = run_dbt(arguments, warehouse, raw_dir, target_dir, evaluations_dir=results_dir)
    if result.exception is not None or not result.success:
        reason = result.exception or "see the dbt output above"
        raise RuntimeError(f"dbt could not rebuild the evaluation models: {reason}")
