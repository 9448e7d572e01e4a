"""What the embedder_eval and embedder_train command lines share (no heavy imports): argument
types, the data-folder arguments, printing a table and how a failure ends the command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
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


def print_table(lines: list[str]) -> None:
    """Print a table's lines, one under the other."""
    for line in lines:
        print(line)


def exit_code(
    work: Callable[[], None], known_errors: dict[type[Exception], int], interrupted: str
) -> int:
    """Run a command's work and return its exit code: 0 when it succeeds; else, after a one-line
    reason on stderr, the code of the first known error type it is an instance of (with the
    error's message), 130 when interrupted ("FAILED: interrupted; " + interrupted), or 1 for any
    other failure (with the error's type)."""
    try:
        work()
    except tuple(known_errors) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return next(code for kind, code in known_errors.items() if isinstance(error, kind))
    except KeyboardInterrupt:
        print(f"FAILED: interrupted; {interrupted}", file=sys.stderr)
        return 130
    except Exception as error:  # every failure ends with a one-line reason
        print(failure_line(error), file=sys.stderr)
        return 1
    return 0
