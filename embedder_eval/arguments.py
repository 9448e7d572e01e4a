"""What the embedder_eval and embedder_train command lines share (no heavy imports): argument
types, the data-folder arguments and the last line of a failure."""

from __future__ import annotations

import argparse
from pathlib import Path

from warehouse import config


def comma_separated(value: str) -> list[str]:
    """The non-empty items of a comma-separated argument; an argparse error when there are none."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items


def add_data_folder_arguments(parser: argparse.ArgumentParser, warehouse_help: str) -> None:
    """--warehouse, --results-dir and --cache-dir, defaulting to the folders DW_DATA_DIR and
    DW_WAREHOUSE_PATH name, read as the pipeline does."""
    configured = config.paths()
    parser.add_argument("--warehouse", type=Path, default=configured.warehouse, help=warehouse_help)
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=configured.evaluations_dir,
        help="where the run's Parquet file goes (default: evaluations/ in the data folder)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=configured.embeddings_dir,
        help="embedding cache, one folder per model identity (default: embeddings/ in the "
        "data folder)",
    )


def failure_line(error: BaseException) -> str:
    """The last line a command prints when it fails on error: its type and its message on
    one line."""
    reason = " ".join(str(error).split())
    return f"FAILED: {type(error).__name__}: {reason}"
