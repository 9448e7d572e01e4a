"""The staged datasets kept between builds: which ones a build must stage again.

The unions of the staged datasets (int_*_unioned, macros/restaging.sql) are incremental
tables in `<warehouse>.staged`, a DuckDB file beside the warehouse that the project creates
and may delete at any time (the next build then stages everything). Its table
`staged_datasets` records, for each dataset whose rows it holds, the raw fingerprint they were
staged from and the staging fingerprint (dbt project, vars and versions) of the build that
staged them. A build restages the datasets whose raw fingerprint changed; when the staging
fingerprint changed (a model, macro, var or version), or the file is missing or unreadable, it
stages every dataset afresh (dbt's --full-refresh). The books are updated only after the whole
build succeeded; before dbt runs, the rows of the datasets about to be restaged are struck out,
and with them the mark that a build finished on the file (`staged_build_finished`). An
interrupted build leaves no mark, so the next one stages everything afresh: besides the staged
datasets, the file keeps what the near-duplicate detection derives from each normal form met
(int_near_duplicate_signatures, _bands, _text_pairs), which no dataset's books can vouch for.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import state

BOOKS_TABLE = "staged_datasets"
BOOKS_DDL = (
    f"create table if not exists {BOOKS_TABLE} "
    "(dataset varchar primary key, raw_fingerprint varchar, staging_fingerprint varchar)"
)
# One row while the file holds what a whole build left: struck out before dbt runs, written
# again after it succeeded. What is kept by content rather than by dataset (the near-duplicate
# signatures, bands and pairs of every normal form met) cannot be struck out by dataset, so a
# file without the row is staged afresh.
FINISHED_TABLE = "staged_build_finished"
FINISHED_DDL = f"create table if not exists {FINISHED_TABLE} (staging_fingerprint varchar)"


def staged_path_of(warehouse_path: Path) -> Path:
    """The file of staged datasets that belongs to a warehouse file."""
    return warehouse_path.with_name(warehouse_path.name + ".staged")


def staging_fingerprint(fingerprint: state.Fingerprint) -> str:
    """What decides how datasets are staged: the dbt project, the vars and the versions."""
    whole = {
        "project": fingerprint.project,
        "dbt_vars": fingerprint.dbt_vars,
        "versions": fingerprint.versions,
    }
    text = json.dumps(whole, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RestagePlan:
    """What a build stages: every dataset afresh (full_refresh), or only `datasets`."""

    full_refresh: bool
    datasets: tuple[str, ...]

    @property
    def environment_value(self) -> str:
        """DW_RESTAGE_DATASETS for dbt: `*` (every dataset) or the ids, comma-separated."""
        return "*" if self.full_refresh else ",".join(self.datasets)


def _read_books(staged_path: Path) -> dict[str, tuple[str, str]] | None:
    """dataset -> (raw fingerprint, staging fingerprint), or None when there are no books
    (not (yet) a file of ours with books, or the last build on it did not finish: stage
    everything)."""
    rows = state.rows_read_only(
        staged_path,
        "staged",
        f"select dataset, raw_fingerprint, staging_fingerprint from staged.{BOOKS_TABLE} "
        f"where exists (select 1 from staged.{FINISHED_TABLE})",
    )
    if rows is None:
        return None
    return {dataset: (raw, staging) for dataset, raw, staging in rows}


def plan_restaging(staged_path: Path, fingerprint: state.Fingerprint) -> RestagePlan:
    """Which datasets this build must stage, given the books and the inputs' fingerprint."""
    books = _read_books(staged_path)
    staging = staging_fingerprint(fingerprint)
    datasets = sorted(fingerprint.datasets)
    if not books or any(recorded[1] != staging for recorded in books.values()):
        return RestagePlan(full_refresh=True, datasets=tuple(datasets))
    changed = [
        dataset
        for dataset in datasets
        if books.get(dataset, ("", ""))[0] != fingerprint.datasets[dataset].fingerprint
    ]
    return RestagePlan(full_refresh=False, datasets=tuple(changed))


def strike_out(staged_path: Path, plan: RestagePlan) -> None:
    """Before dbt runs: forget what is about to be restaged (everything, on a full refresh),
    and that a build finished on the file (until this one has)."""
    if plan.full_refresh:
        for leftover in (staged_path, staged_path.with_name(staged_path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        return
    with duckdb.connect() as connection:
        connection.execute("attach ? as staged", [str(staged_path)])
        connection.execute(f"delete from staged.{FINISHED_TABLE}")
        connection.execute(
            f"delete from staged.{BOOKS_TABLE} where dataset in (select unnest(?))",
            [list(plan.datasets)],
        )
        connection.execute("detach staged")


def record_staged(
    staged_path: Path, fingerprint: state.Fingerprint, datasets: Sequence[str]
) -> None:
    """After a successful build: the datasets now staged, with the fingerprints they had."""
    staging = staging_fingerprint(fingerprint)
    with duckdb.connect() as connection:
        connection.execute("attach ? as staged", [str(staged_path)])
        connection.execute("use staged")
        connection.execute(BOOKS_DDL)
        # No datasets when a forced build found nothing to stage again: nothing is inserted.
        state.insert_rows(
            connection,
            BOOKS_TABLE,
            [[dataset, fingerprint.datasets[dataset].fingerprint, staging] for dataset in datasets],
            statement="insert or replace into",
        )
        connection.execute(FINISHED_DDL)
        connection.execute(f"delete from {FINISHED_TABLE}")
        state.insert_rows(connection, FINISHED_TABLE, [[staging]])
        connection.execute("checkpoint")
        connection.execute("use memory")
        connection.execute("detach staged")
