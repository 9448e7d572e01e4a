"""Evaluation results as Parquet files, one per run, that the warehouse reads as a dbt source.

    data/evaluations/<run_id>.parquet      one row per dataset, locale, task and metric
    data/evaluations/no_results.parquet    empty and typed, so dbt builds before any run

(`no_results`, not `_no_results` as versions before named it: Spark skips files whose names
start with `_`; `ensure_results_placeholder` renames an older one.)

`dbt build` recreates the warehouse file on every build, so results are never written into it:
models/staging/evaluations reads these files ($DW_EVALUATIONS_DIR, default data/evaluations)
and the mart `embedder_scores` exposes them. This module needs pyarrow only, so the pipeline
can call `ensure_results_placeholder` without the `eval` extra installed.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.raw_layout import replace_legacy_file

PLACEHOLDER_NAME = "no_results.parquet"
LEGACY_PLACEHOLDER_NAME = "_no_results.parquet"

RESULTS_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("model", pa.string(), nullable=False),
        pa.field("model_revision", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("locale", pa.string(), nullable=False),
        pa.field("task", pa.string(), nullable=False),
        pa.field("metric", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("n_examples", pa.int64(), nullable=False),
        pa.field("parameters", pa.string(), nullable=False),  # JSON text
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("seconds", pa.float64(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Score:
    """One measured number: a metric of a task on a dataset and locale."""

    dataset: str
    locale: str
    task: str
    metric: str
    value: float
    n_examples: int
    parameters: Mapping[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def new_run_id(started_at: datetime, model_key: str) -> str:
    """A run id that sorts by time: 20250101T120000Z-<model key>-<6 hex>."""
    return f"{started_at:%Y%m%dT%H%M%SZ}-{model_key}-{uuid.uuid4().hex[:6]}"


def scores_table(
    scores: Iterable[Score],
    *,
    run_id: str,
    model: str,
    model_revision: str,
    started_at: datetime,
) -> pa.Table:
    """The scores of one run as a table with RESULTS_SCHEMA."""
    rows = [
        {
            "run_id": run_id,
            "model": model,
            "model_revision": model_revision,
            "dataset": score.dataset,
            "locale": score.locale,
            "task": score.task,
            "metric": score.metric,
            "value": float(score.value),
            "n_examples": int(score.n_examples),
            "parameters": json.dumps(dict(score.parameters), sort_keys=True, default=str),
            "started_at": started_at,
            "seconds": float(score.seconds),
        }
        for score in scores
    ]
    return pa.Table.from_pylist(rows, schema=RESULTS_SCHEMA)


def _write_atomically(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        pq.write_table(table, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_results(table: pa.Table, results_dir: Path, run_id: str) -> Path:
    """Write a run's table to results_dir/<run_id>.parquet (atomically); returns the path."""
    if not table.schema.equals(RESULTS_SCHEMA):
        raise ValueError("results table does not have the contracted schema")
    path = Path(results_dir) / f"{run_id}.parquet"
    _write_atomically(table, path)
    return path


def rename_legacy_placeholder(results_dir: Path) -> bool:
    """Rename results_dir/_no_results.parquet, as versions before wrote it, to
    no_results.parquet (where that exists already, it wins and the old one is removed); True
    when there was one."""
    results_dir = Path(results_dir)
    return replace_legacy_file(
        results_dir / LEGACY_PLACEHOLDER_NAME, results_dir / PLACEHOLDER_NAME
    )


def ensure_results_placeholder(results_dir: Path) -> Path:
    """Write results_dir/no_results.parquet, empty and typed, unless it is already there.

    dbt's source reads results_dir/*.parquet, which fails when no file matches; call this
    before `dbt build`.
    """
    rename_legacy_placeholder(results_dir)
    path = Path(results_dir) / PLACEHOLDER_NAME
    if path.is_file():
        try:
            if pq.read_schema(path).equals(RESULTS_SCHEMA):
                return path
        except (OSError, pa.ArrowInvalid):
            pass  # unreadable or an older schema: write it again
    _write_atomically(RESULTS_SCHEMA.empty_table(), path)
    return path


def read_results(results_dir: Path) -> pa.Table:
    """Every run's rows under results_dir (the placeholder included, which adds none)."""
    paths = sorted(Path(results_dir).glob("*.parquet"))
    tables = [pq.read_table(path, schema=RESULTS_SCHEMA) for path in paths]
    return pa.concat_tables(tables) if tables else RESULTS_SCHEMA.empty_table()
