"""The pairs a training run reads: an export's pairs/<pair type>/<split>.parquet, selected by
dataset through pairs/provenance (row_index is the pair's row in its pair type's file)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PAIR_TYPES = ("next_turn", "context_response")
EXPORT_MARKER = ".dialogue-warehouse-export.json"


class PairsError(RuntimeError):
    """The pairs cannot be read or the selection is empty; the message says why."""


@dataclass
class TrainingPairs:
    """The selected (anchor, positive) pairs of one split, and where they came from."""

    table: pa.Table  # exactly anchor, positive
    per_dataset: dict[str, int] = field(default_factory=dict)
    per_pair_type: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file -> sha256 of its bytes
    export: dict = field(default_factory=dict)  # the export's marker (when it was written, how)

    @property
    def data_version(self) -> str:
        """sha256 (first 16 hex digits) of the files read and the selection made."""
        digest = hashlib.sha256(
            json.dumps([self.files, self.per_dataset], sort_keys=True).encode("utf-8")
        )
        return digest.hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pairs_folder(path: Path) -> Path:
    """The pairs folder of an export: path itself or path/pairs."""
    path = Path(path)
    for candidate in (path, path / "pairs"):
        if (candidate / "provenance").is_dir():
            return candidate
    raise PairsError(
        f"no exported pairs at {path} (no provenance/ folder in it or in {path / 'pairs'}): "
        "write them with `python run_pipeline.py --skip-ingest --skip-build --export DIR`"
    )


def load_pairs(
    path: Path,
    *,
    split: str = "train",
    pair_types: list[str] | tuple[str, ...] = ("next_turn",),
    datasets: list[str] | None = None,
) -> TrainingPairs:
    """The split's pairs of the given types (and datasets, or all), pair types in order."""
    folder = pairs_folder(path)
    unknown = sorted(set(pair_types) - set(PAIR_TYPES))
    if unknown:
        raise PairsError(
            f"unknown pair type(s) {', '.join(unknown)}; choose from next_turn, context_response"
        )
    provenance_path = folder / "provenance" / f"{split}.parquet"
    if not provenance_path.is_file():
        raise PairsError(f"{provenance_path} does not exist: the export has no {split} pairs")
    provenance = pq.read_table(provenance_path, columns=["row_index", "pair_type", "dataset"])
    present = sorted(set(provenance.column("dataset").to_pylist()))
    if datasets:
        missing = sorted(set(datasets) - set(present))
        if missing:
            raise PairsError(
                f"no {split} pairs of {', '.join(missing)} in {folder}: it has "
                f"{', '.join(present) or 'none'}"
            )
    marker = folder.parent / EXPORT_MARKER
    selected = TrainingPairs(
        table=pa.table(
            {"anchor": pa.array([], pa.string()), "positive": pa.array([], pa.string())}
        ),
        export=json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else {},
    )
    tables = []
    for pair_type in pair_types:
        path_of_type = folder / pair_type / f"{split}.parquet"
        if not path_of_type.is_file():
            raise PairsError(f"{path_of_type} does not exist: the export has no {pair_type} pairs")
        table = pq.read_table(path_of_type, columns=["anchor", "positive"])
        rows = provenance.filter(pc.equal(provenance.column("pair_type"), pair_type))
        if rows.num_rows != table.num_rows:
            raise PairsError(
                f"{path_of_type} has {table.num_rows:,} rows but {provenance_path} lists "
                f"{rows.num_rows:,} {pair_type} pairs: the export is inconsistent, write it again"
            )
        if datasets:
            rows = rows.filter(pc.is_in(rows.column("dataset"), pa.array(datasets)))
            table = table.take(rows.column("row_index"))
        for dataset in rows.column("dataset").to_pylist():
            selected.per_dataset[dataset] = selected.per_dataset.get(dataset, 0) + 1
        selected.per_pair_type[pair_type] = table.num_rows
        selected.files[f"{pair_type}/{split}.parquet"] = _sha256(path_of_type)
        tables.append(table)
    selected.files[f"provenance/{split}.parquet"] = _sha256(provenance_path)
    selected.table = pa.concat_tables(tables).combine_chunks()
    if selected.table.num_rows == 0:
        raise PairsError(f"no {split} pairs selected in {folder}")
    return selected
