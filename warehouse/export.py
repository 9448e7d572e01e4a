"""Training-ready exports of the warehouse: Parquet folders that `datasets` loads, with cards.

    <DIR>/pretrain_dialogues/{train,validation}.parquet   decontaminated dialogues
    <DIR>/pretrain_turns/{train,validation}.parquet       decontaminated utterances
    <DIR>/pairs/{train,validation}.parquet                decontaminated pairs, anchor first
    <DIR>/downstream/<dataset>/<locale>/{train,validation,test}.parquet

Each folder (and each downstream dataset) gets a dataset card, README.md. Decontamination is
on by default: test splits and utterances equal to a downstream validation/test text stay
out of the pre-training exports (the dbt models training_* do it; here we only copy). A
dataset whose terms forbid redistribution is left out unless named in `include_restricted`.
The export is written into a temporary sibling folder and renamed into place when complete.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.registry import REGISTRY

Progress = Callable[[str], None]

PRETRAIN_TABLES = {
    # folder: (decontaminated model, model without decontamination, row order of the files)
    "pretrain_dialogues": ("training_dialogues", "dialogues", "dialogue_id"),
    "pretrain_turns": ("training_turns", "turns", "dialogue_id, turn_index"),
    "pairs": (
        "training_pairs",
        "utterance_pairs",
        "pair_type, dialogue_id, anchor_turn_index, positive_turn_index",
    ),
}
SPLITS = ("train", "validation", "test")


class ExportError(RuntimeError):
    """The export cannot be made; the message says why."""


@dataclass
class ExportSummary:
    """What one export wrote: rows per folder and split, and the datasets left out."""

    export_dir: Path
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    restricted_left_out: list[str] = field(default_factory=list)
    restricted_included: list[str] = field(default_factory=list)


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("dialogue-warehouse", "dbt-core", "dbt-duckdb", "duckdb", "pyarrow"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        versions["dialogue-warehouse commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass
    return versions


def _copy(connection, sql: str, parameters: list, path: Path) -> int:
    """Write the query's rows to one Parquet file; return the row count (no file for 0 rows)."""
    [(count,)] = connection.execute(f"select count(*) from ({sql})", parameters).fetchall()
    if count:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection.sql(sql, params=parameters).write_parquet(str(path), compression="zstd")
    return count


def _card(
    title: str,
    description: str,
    datasets: list[str],
    rows: dict[str, int],
    command: str,
    versions: dict[str, str],
    notes: list[str],
    connection,
) -> str:
    """The README.md dataset card of one export folder."""
    registry_rows = connection.execute(
        "select dataset, name, license, citation, homepage, redistributable "
        "from reference.datasets where list_contains(?, dataset) order by dataset",
        [datasets],
    ).fetchall()
    lines = [
        f"# {title.replace('_', ' ')}",
        "",
        description,
        "",
        "## Load it",
        "",
        "```python",
        "from datasets import load_dataset",
        'dataset = load_dataset("parquet", data_dir="<this folder>")',
        "```",
        "",
        "## Counts",
        "",
        "| split | rows |",
        "|---|---|",
        *[f"| {split} | {count:,} |" for split, count in rows.items()],
        "",
        "## Sources, licenses and citations",
        "",
        "| dataset | name | license | citation | homepage |",
        "|---|---|---|---|---|",
        *[
            f"| {dataset} | {name} | {license_} | {citation} | {homepage} |"
            for dataset, name, license_, citation, homepage, _ in registry_rows
        ],
        "",
    ]
    if notes:
        lines += ["## Notes", "", *[f"- {note}" for note in notes], ""]
    lines += [
        "## Provenance",
        "",
        f"Produced {datetime.now(UTC).isoformat(timespec='seconds')} by:",
        "",
        "```",
        command,
        "```",
        "",
        *[f"- {package}: {version}" for package, version in versions.items()],
        "",
    ]
    return "\n".join(lines)


def _restriction_notes(summary: ExportSummary) -> list[str]:
    notes = []
    if summary.restricted_left_out:
        notes.append(
            "Left out because their terms forbid redistribution (name them with "
            "--include-restricted to include them): "
            f"{', '.join(summary.restricted_left_out)}."
        )
    if summary.restricted_included:
        notes.append(
            "Included on request although their terms forbid redistribution: "
            f"{', '.join(summary.restricted_included)}. Do not share this export."
        )
    return notes


def _decontamination_note(connection, datasets: list[str], decontaminate: bool) -> str:
    if not decontaminate:
        return "Not decontaminated (--no-decontaminate): test splits included."
    [(test_turns, overlap_turns, removed_pairs)] = connection.execute(
        "select sum(n_turns_test_split), sum(n_turns_equal_to_evaluation_text), "
        "sum(n_pairs_removed) from decontamination_summary where list_contains(?, dataset)",
        [datasets],
    ).fetchall()
    return (
        f"Decontaminated: test splits left out ({test_turns or 0:,} utterances); "
        f"{overlap_turns or 0:,} utterances equal to a downstream validation/test example "
        f"removed; {removed_pairs or 0:,} pairs removed in all (see decontamination_summary)."
    )


def _export_pretraining(
    connection, work_dir: Path, datasets: list[str], decontaminate: bool, card: Callable, progress
) -> dict[str, dict[str, int]]:
    """Dialogues, turns and pairs of the dialogue datasets, one Parquet file per split."""
    written = {}
    note = _decontamination_note(connection, datasets, decontaminate)
    for folder, (clean_model, raw_model, row_order) in PRETRAIN_TABLES.items():
        model = clean_model if decontaminate else raw_model
        select = f"select * from {model}"
        if model == "utterance_pairs":
            select = f"select anchor_text as anchor, positive_text as positive, * from {model}"
        rows = {}
        for split in SPLITS:
            sql = (
                f"select * from ({select}) where split = ? and list_contains(?, dataset) "
                f"order by {row_order}"
            )
            count = _copy(
                connection, sql, [split, datasets], work_dir / folder / f"{split}.parquet"
            )
            if count:
                rows[split] = count
        written[folder] = rows
        (work_dir / folder / "README.md").write_text(
            card(f"pre-training {folder}", _DESCRIPTIONS[folder], datasets, rows, [note]),
            encoding="utf-8",
        )
        progress(f"export: {folder}: {', '.join(f'{s} {n:,}' for s, n in rows.items())}")
    return written


def _export_downstream(
    connection, work_dir: Path, datasets: list[str], card: Callable, progress
) -> dict[str, dict[str, int]]:
    """Intent examples, one folder per dataset and locale, one Parquet file per split."""
    written = {}
    for dataset in datasets:
        locales = [
            row[0]
            for row in connection.execute(
                "select distinct locale from intent_examples where dataset = ? order by 1",
                [dataset],
            ).fetchall()
        ]
        rows = {}
        for locale in locales:
            for split in SPLITS:
                count = _copy(
                    connection,
                    "select * from intent_examples where dataset = ? and locale = ? and split = ? "
                    "order by example_id",
                    [dataset, locale, split],
                    work_dir / "downstream" / dataset / locale / f"{split}.parquet",
                )
                if count:
                    rows[f"{locale} {split}"] = count
        written[f"downstream/{dataset}"] = rows
        (work_dir / "downstream" / dataset / "README.md").write_text(
            card(f"downstream {dataset}", _DOWNSTREAM_DESCRIPTION, [dataset], rows, []),
            encoding="utf-8",
        )
        progress(f"export: downstream/{dataset}: {len(locales)} locale(s)")
    return written


def _replace_folder(work_dir: Path, export_dir: Path) -> None:
    retired = export_dir.with_name(f".{export_dir.name}.retired")
    if retired.exists():
        shutil.rmtree(retired)
    if export_dir.exists():
        os.replace(export_dir, retired)
    os.replace(work_dir, export_dir)
    shutil.rmtree(retired, ignore_errors=True)


def export(
    warehouse_path: Path,
    export_dir: Path,
    *,
    command: str,
    decontaminate: bool = True,
    include_restricted: list[str] | None = None,
    progress: Progress = print,
) -> ExportSummary:
    """Write the training-ready export of the warehouse to export_dir (replacing it whole)."""
    if not warehouse_path.is_file():
        raise ExportError(f"no warehouse at {warehouse_path}: run the pipeline first")
    include_restricted = include_restricted or []
    unknown = [name for name in include_restricted if name not in REGISTRY]
    if unknown:
        raise ExportError(f"unknown dataset(s) for --include-restricted: {', '.join(unknown)}")
    export_dir = export_dir.resolve()
    work_dir = export_dir.with_name(f".{export_dir.name}.exporting")
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    versions = _versions()
    summary = ExportSummary(export_dir=export_dir)
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as connection:
            present = [
                row[0]
                for row in connection.execute(
                    "select distinct dataset from dialogues union "
                    "select distinct dataset from intent_examples order by 1"
                ).fetchall()
            ]
            allowed = [d for d in present if REGISTRY[d].redistributable or d in include_restricted]
            summary.restricted_left_out = [d for d in present if d not in allowed]
            summary.restricted_included = [d for d in allowed if not REGISTRY[d].redistributable]
            notes = _restriction_notes(summary)

            def card(title, description, datasets, rows, extra_notes):
                return _card(
                    f"Dialogue warehouse: {title}",
                    description,
                    datasets,
                    rows,
                    command,
                    versions,
                    notes + extra_notes,
                    connection,
                )

            dialogue_datasets = [d for d in allowed if REGISTRY[d].kind == "dialogues"]
            intent_datasets = [d for d in allowed if REGISTRY[d].kind == "intents"]
            summary.rows.update(
                _export_pretraining(
                    connection, work_dir, dialogue_datasets, decontaminate, card, progress
                )
            )
            summary.rows.update(
                _export_downstream(connection, work_dir, intent_datasets, card, progress)
            )
        _replace_folder(work_dir, export_dir)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    return summary


_DOWNSTREAM_DESCRIPTION = (
    "Intent classification examples, one folder per locale, splits as upstream defines them "
    "(see intent_examples in the dbt docs). Load one locale with data_dir=<this folder>/<locale>."
)

_DESCRIPTIONS = {
    "pretrain_dialogues": (
        "Whole task-oriented dialogues for pre-training dialogue embedders, one row per "
        "dialogue with its turns as a list and as speaker-tagged text."
    ),
    "pretrain_turns": (
        "The utterances of the pre-training dialogues, one row per utterance with speaker, "
        "dataset, split and dialogue id."
    ),
    "pairs": (
        "Contrastive (anchor, positive) pairs: next_turn (DSE) and context_response "
        "(TOD-BERT). The columns anchor and positive come first, then the provenance of each "
        "pair (dataset, split, dialogue, turn indices)."
    ),
}
