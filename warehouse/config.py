"""One configuration for every entry point: the pipeline, dbt's profile, the embedder
evaluation and training commands, and the dashboard read their folders from here.

- `DW_DATA_DIR`: the data folder (default: the folder of `DW_WAREHOUSE_PATH` when that is
  set, else `data`);
- `DW_WAREHOUSE_PATH`: the warehouse file (default: `<data folder>/warehouse.duckdb`);
- `DW_MIRROR`: a local copy of the upstream files to read instead of downloading (default:
  none, download from upstream).

Everything else lives in the data folder: `raw/` (raw Parquet), `cache/` (downloads),
`evaluations/` (embedder scores), `embeddings/` (their cache), `models/` (trained embedders),
`logs/`, `target/` (dbt's artifacts) and `docs/` (the dbt docs site). Relative paths are taken
from the current folder. dbt gets the same paths from the pipeline (warehouse.build.run_dbt);
run by hand from the project folder, its profile defaults to `data/warehouse.duckdb`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VARIABLE = "DW_DATA_DIR"
WAREHOUSE_VARIABLE = "DW_WAREHOUSE_PATH"
MIRROR_VARIABLE = "DW_MIRROR"
DEFAULT_DATA_DIR = Path("data")
WAREHOUSE_FILE_NAME = "warehouse.duckdb"


@dataclass(frozen=True)
class Paths:
    """The folders and files of one data folder (all absolute)."""

    data_dir: Path
    warehouse: Path

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def evaluations_dir(self) -> Path:
        return self.data_dir / "evaluations"

    @property
    def embeddings_dir(self) -> Path:
        return self.data_dir / "embeddings"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"


def _configured(variable: str) -> str | None:
    value = os.environ.get(variable, "").strip()
    return value or None


def paths(data_dir: Path | str | None = None) -> Paths:
    """The configured paths; data_dir (e.g. a --data-dir option) overrides DW_DATA_DIR."""
    warehouse = _configured(WAREHOUSE_VARIABLE)
    if data_dir is None:
        data_dir = _configured(DATA_DIR_VARIABLE)
    if data_dir is None:
        data_dir = Path(warehouse).parent if warehouse else DEFAULT_DATA_DIR
    data = Path(data_dir).expanduser().resolve()
    warehouse_path = Path(warehouse).expanduser() if warehouse else data / WAREHOUSE_FILE_NAME
    return Paths(data_dir=data, warehouse=warehouse_path.resolve())


def mirror() -> Path | None:
    """The configured mirror folder (DW_MIRROR), or None to download from upstream."""
    configured = _configured(MIRROR_VARIABLE)
    return Path(configured).expanduser().resolve() if configured else None


def environment(configured: Paths, mirror_dir: Path | None = None) -> dict[str, str]:
    """The variables that give a child process (a pipeline run) exactly these paths."""
    variables = {
        DATA_DIR_VARIABLE: str(configured.data_dir),
        WAREHOUSE_VARIABLE: str(configured.warehouse),
    }
    if mirror_dir is not None:
        variables[MIRROR_VARIABLE] = str(mirror_dir)
    return variables
