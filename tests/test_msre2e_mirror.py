"""MSR-E2E and Taskmaster-1 from the real mirror, as issue 12's acceptance command runs them:

    python run_pipeline.py --mirror ../shared/data/raw --datasets msre2e,taskmaster1 --allow-partial

The mirror holds MSR-E2E's movie and taxi files (gzipped) but not restaurant, and
Taskmaster-1's three split lists but not its dialogue files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.support import require_mirror, run_pipeline_cli, warehouse_rows


@pytest.fixture(scope="module")
def acceptance_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    mirror = require_mirror()
    data_dir = tmp_path_factory.mktemp("msre2e_mirror")
    result = run_pipeline_cli(
        "--mirror",
        str(mirror),
        "--datasets",
        "msre2e,taskmaster1",
        "--allow-partial",
        data_dir=data_dir,
        timeout=900,
    )
    return data_dir, result


@pytest.mark.mirror
def test_exits_0_with_movie_and_taxi_dialogues_verified(acceptance_run):
    data_dir, result = acceptance_run
    assert result.returncode == 0, result.stderr
    assert "INCOMPLETE: msre2e, taskmaster1" in result.stdout
    rows = warehouse_rows(
        data_dir,
        "select source_path, measured_value, published_value, is_reproduced, is_source_verified "
        "from published_statistics_comparison where dataset = 'msre2e' and source_path != 'all' "
        "order by source_path",
    )
    assert rows == [
        ("data/movie_all.tsv", 2890, 2890, True, True),
        ("data/restaurant_all.tsv", 0, 4103, False, False),
        ("data/taxi_all.tsv", 3094, 3094, True, True),
    ]
    assert warehouse_rows(
        data_dir,
        "select services[1], count(*) from dialogues where dataset = 'msre2e' group by 1 order by 1",
    ) == [("movie", 2890), ("taxi", 3094)]


@pytest.mark.mirror
def test_files_verified_and_the_missing_ones_flagged(acceptance_run):
    data_dir, result = acceptance_run
    assert result.returncode == 0, result.stderr
    manifest = duckdb.sql(
        "select dataset, source_path, status, checksum_verified, checksum_source "
        f"from read_parquet('{data_dir}/raw/*/manifest.parquet', union_by_name = true) "
        "where dataset in ('msre2e', 'taskmaster1') order by all"
    ).fetchall()
    assert manifest == [
        ("msre2e", "data/movie_all.tsv", "ingested", True, "registry"),
        ("msre2e", "data/restaurant_all.tsv", "missing", None, None),
        ("msre2e", "data/taxi_all.tsv", "ingested", True, "registry"),
        ("taskmaster1", "TM-1-2019/self-dialogs.json", "missing", None, None),
        ("taskmaster1", "TM-1-2019/train-dev-test/dev.csv", "ingested", True, "registry"),
        ("taskmaster1", "TM-1-2019/train-dev-test/test.csv", "ingested", True, "registry"),
        ("taskmaster1", "TM-1-2019/train-dev-test/train.csv", "ingested", True, "registry"),
        ("taskmaster1", "TM-1-2019/woz-dialogs.json", "missing", None, None),
    ]
    completeness = warehouse_rows(
        data_dir,
        "select dataset, split, n_files_missing, is_complete from source_completeness "
        "where dataset in ('msre2e', 'taskmaster1') and split = 'all' order by all",
    )
    assert completeness == [("msre2e", "all", 1, False), ("taskmaster1", "all", 2, False)]
