"""One evaluation run: read the sets, embed each once, score every task, write the results file."""

from __future__ import annotations

import contextlib
import inspect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from embedder_eval import data, protocols, retrieval
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
TASKS = INTENT_TASKS + PAIR_TASKS + DIALOGUE_INTENT_TASKS
DEFAULT_SHOTS = (1, 5)
DEFAULT_DIALOGUE_TEST_LIMIT = 2000  # test turns per dataset of dialogue_intent (seeded sample)


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


def plan(
    options: RunOptions, connection
) -> tuple[list[str], list[tuple], list[tuple], list[tuple], list[str]]:
    """Tasks, intent, pair and dialogue-intent groups to run, and notes on what is skipped.

    Raises data.SelectionError for an unknown task, dataset or locale, and
    data.WarehouseError when an explicitly asked task has no mart to read.
    """
    tasks = options.tasks or list(TASKS)
    unknown_tasks = sorted(set(tasks) - set(TASKS))
    if unknown_tasks:
        raise data.SelectionError(
            f"unknown task(s) {', '.join(unknown_tasks)}; choose from {', '.join(TASKS)}"
        )
    notes = []
    intent_available = data.intent_groups_available(connection)
    pair_available = data.pair_groups_available(connection)
    dialogue_available = data.dialogue_intent_groups_available(connection)
    if "next_turn" in tasks and not data.has_pairs_mart(connection):
        if options.tasks:
            raise data.WarehouseError(
                f"the warehouse {options.warehouse} has no utterance_pairs mart for next_turn"
            )
        notes.append("next_turn skipped: the warehouse has no utterance_pairs mart")
        tasks = [task for task in tasks if task != "next_turn"]
    if options.datasets:
        known = {dataset for dataset, _ in intent_available + pair_available + dialogue_available}
        unknown = sorted(set(options.datasets) - known)
        if unknown:
            raise data.SelectionError(
                f"unknown dataset(s) {', '.join(unknown)}: the warehouse has intent sets "
                f"{_describe(intent_available)} and test next_turn pairs of "
                f"{_describe(pair_available)}"
            )
    intent_groups = (
        data.select_groups(intent_available, options.datasets, options.locales)
        if any(task in INTENT_TASKS for task in tasks)
        else []
    )
    pair_groups = (
        data.select_groups(pair_available, options.datasets, options.locales)
        if "next_turn" in tasks
        else []
    )
    dialogue_groups = (
        data.select_groups(dialogue_available, options.datasets, options.locales)
        if "dialogue_intent" in tasks
        else []
    )
    if options.locales:
        seen = {locale for _, locale in intent_groups + pair_groups + dialogue_groups}
        missing = sorted(set(options.locales) - seen)
        if missing and not seen:
            raise data.SelectionError(f"no selected dataset has locale(s) {', '.join(missing)}")
        if missing:
            notes.append(f"no selected dataset has locale(s) {', '.join(missing)}")
    if not intent_available and not data.has_pairs_mart(connection):
        raise data.WarehouseError(
            f"the warehouse {options.warehouse} has neither intent_examples nor utterance_pairs "
            "to evaluate on: build it first (python run_pipeline.py)"
        )
    if not intent_groups and not pair_groups and not dialogue_groups:
        raise data.SelectionError(
            "nothing to evaluate: no selected dataset has data for the selected tasks "
            f"(intent sets: {_describe(intent_available)}; "
            f"next_turn pairs: {_describe(pair_available)})"
        )
    return tasks, intent_groups, pair_groups, dialogue_groups, notes


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
        progress(f"{task} {label}: {_headline(metrics)} ({seconds:.1f}s)")
    return scores


def _headline(metrics: dict[str, float]) -> str:
    names = {
        "accuracy": "accuracy",
        "f1_macro": "macro-F1",
        "auroc": "AUROC",
        "fpr_at_95_recall": "FPR@95%TPR",
    }
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
        progress(f"{task} {label}: {_headline(metrics)} ({seconds:.1f}s)")
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
        tasks, intent_groups, pair_groups, dialogue_groups, notes = plan(options, connection)
        intent_sets = [data.load_intent_set(connection, *group) for group in intent_groups]
        pair_sets = [data.load_pair_set(connection, *group) for group in pair_groups]
        dialogue_sets = [
            data.load_dialogue_intent_set(connection, *group, options.dialogue_test_limit)
            for group in dialogue_groups
        ]
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
    it fails while another process holds the file open.
    """
    from warehouse.build import run_dbt

    arguments = ["build", "--select", "stg_evaluations__scores", "embedder_scores"]
    warehouse, raw_dir = Path(warehouse).resolve(), Path(raw_dir).resolve()
    results_dir = Path(results_dir).resolve()
    ensure_results_placeholder(results_dir)
    if "evaluations_dir" in inspect.signature(run_dbt).parameters:
        result = run_dbt(arguments, warehouse, raw_dir, target_dir, evaluations_dir=results_dir)
    else:  # a run_dbt that does not set DW_EVALUATIONS_DIR itself
        previous = os.environ.get("DW_EVALUATIONS_DIR")
        os.environ["DW_EVALUATIONS_DIR"] = str(results_dir)
        try:
            result = run_dbt(arguments, warehouse, raw_dir, target_dir)
        finally:
            if previous is None:
                os.environ.pop("DW_EVALUATIONS_DIR", None)
            else:
                os.environ["DW_EVALUATIONS_DIR"] = previous
    if result.exception is not None or not result.success:
        reason = result.exception or "see the dbt output above"
        raise RuntimeError(f"dbt could not rebuild the evaluation models: {reason}")
