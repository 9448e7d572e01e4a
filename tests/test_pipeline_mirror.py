"""End to end on the real upstream mirror ../shared/data/raw: the counts SOURCES.md measured.

Runs `run_pipeline.py` as a user would. Skipped (with the reason) where the mirror is absent.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import require_mirror, run_pipeline_cli, warehouse_rows

MIRROR_DATASETS = "sgd,camrest676,woz2,kvret"
MIRROR_INTENT_DATASETS = "banking77,clinc150,hwu64,snips"


# The issues' acceptance commands: (datasets, options). Each ingests its datasets; the
# warehouse is built once, by the last, from everything ingested so far (as three full builds
# would leave it).
ACCEPTANCE_COMMANDS = (
    (MIRROR_DATASETS, "--allow-partial", "--skip-build"),
    (MIRROR_INTENT_DATASETS, "--skip-build"),
    ("taskmaster4", "--allow-partial"),
)


def run_pipeline(datasets: str, *options: str, data_dir: Path) -> subprocess.CompletedProcess:
    """`run_pipeline.py --mirror <the mirror> --datasets datasets options` into data_dir."""
    return run_pipeline_cli(
        "--mirror",
        str(require_mirror()),
        "--datasets",
        datasets,
        *options,
        data_dir=data_dir,
        timeout=1800,
        # DW_DBT_THREADS too: the mirror builds run as a user's would
        unset=("DW_WAREHOUSE_PATH", "DW_RAW_DIR", "DW_DBT_THREADS"),
    )


@pytest.fixture(scope="module")
def mirror_warehouse(tmp_path_factory) -> Path:
    """The warehouse built from the mirror by the issues' acceptance commands, once per module."""
    require_mirror()  # skips here, before a folder is made, where the mirror is absent
    data_dir = tmp_path_factory.mktemp("mirror_run")
    for datasets, *options in ACCEPTANCE_COMMANDS:
        result = run_pipeline(datasets, *options, data_dir=data_dir)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data_dir


def per_split(data_dir: Path, sql: str) -> dict:
    return {row[0]: row[1] for row in warehouse_rows(data_dir, sql)}


def test_camrest676_has_676_dialogues_in_a_derived_406_135_135_split(mirror_warehouse):
    counts = per_split(
        mirror_warehouse,
        "select split, count(*) from dialogues where dataset = 'camrest676' group by split",
    )
    assert counts == {"train": 406, "validation": 135, "test": 135}
    assert warehouse_rows(
        mirror_warehouse,
        "select distinct split_source from dialogues where dataset = 'camrest676'",
    ) == [("derived",)]
    assert warehouse_rows(
        mirror_warehouse, "select count(*) from turns where dataset = 'camrest676'"
    ) == [(5488,)]


def test_woz2_has_600_200_400_dialogues_per_language(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select locale, split, count(*) from dialogues where dataset = 'woz2' "
        "group by locale, split order by locale, split",
    )
    expected = {"train": 600, "validation": 200, "test": 400}
    assert {(locale, split): n for locale, split, n in rows} == {
        (locale, split): n for locale in ("de", "en", "it") for split, n in expected.items()
    }
    english = per_split(
        mirror_warehouse,
        "select split, count(*) from turns where dataset = 'woz2' and locale = 'en' group by split",
    )
    assert english == {"train": 4472, "validation": 1460, "test": 2892}


def test_kvret_validation_and_test_dialogues(mirror_warehouse):
    counts = per_split(
        mirror_warehouse,
        "select split, count(*) from dialogues where dataset = 'kvret' group by split",
    )
    assert counts == {"validation": 302, "test": 304}


def sgd_kept_and_rejected_per_split(data_dir: Path, table: str, record_level: str) -> dict:
    """Per split, the SGD rows of table plus the SGD records rejected at record_level."""
    kept = per_split(
        data_dir, f"select split, count(*) from {table} where dataset = 'sgd' group by split"
    )
    rejected = per_split(
        data_dir,
        "select split, count(*) from rejected_records "
        f"where dataset = 'sgd' and record_level = '{record_level}' group by split",
    )
    return {split: kept[split] + rejected.get(split, 0) for split in kept}


def test_sgd_upstream_dialogues_and_turns_kept_and_rejected_together(mirror_warehouse):
    dialogues = sgd_kept_and_rejected_per_split(mirror_warehouse, "dialogues", "dialogue")
    assert dialogues == {"train": 12174, "validation": 2098, "test": 2921}
    turns = sgd_kept_and_rejected_per_split(mirror_warehouse, "turns", "utterance")
    assert turns == {"train": 223756, "validation": 38768, "test": 49726}


def test_sgd_and_kvret_are_flagged_incomplete(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select dataset, bool_and(is_complete) from source_completeness group by dataset",
    )
    assert dict(rows) == {
        "sgd": False,
        "kvret": False,
        "camrest676": True,
        "woz2": True,
        "banking77": True,
        "clinc150": True,
        "hwu64": True,
        "snips": True,
        "taskmaster4": True,
    }
    kvret = per_split(
        mirror_warehouse,
        "select split, is_complete from source_completeness where dataset = 'kvret'",
    )
    assert kvret == {"train": False, "validation": True, "test": True}


def test_empty_upstream_utterances_are_rejected_not_in_turns(mirror_warehouse):
    rejected = dict(
        warehouse_rows(
            mirror_warehouse,
            "select dataset || ':' || locale, count(*) from rejected_records "
            "where rejection_reason = 'empty_utterance' group by all",
        )
    )
    assert rejected.get("sgd:en", 0) > 0
    assert rejected.get("kvret:en", 0) > 0
    assert rejected.get("woz2:de", 0) > 0
    assert warehouse_rows(mirror_warehouse, "select count(*) from turns where trim(text) = ''") == [
        (0,)
    ]
    assert warehouse_rows(
        mirror_warehouse,
        "select count(*) from rejected_records where rejection_reason = 'empty_utterance' "
        "and trim(raw_text) != ''",
    ) == [(0,)]


def test_published_counts_reproduced_where_the_source_is_complete(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select dataset, split, locale, statistic, is_reproduced, is_source_verified "
        "from published_statistics_comparison",
    )
    assert rows, "no published statistic was compared"
    for dataset, split, locale, statistic, reproduced, verified in rows:
        if verified:
            assert reproduced, (dataset, split, locale, statistic)
    unreproduced = {(r[0], r[1]) for r in rows if not r[4]}
    assert ("sgd", "train") in unreproduced and ("kvret", "train") in unreproduced


def test_without_allow_partial_fails_fast_naming_sgd_files_and_keeps_the_warehouse(
    mirror_warehouse,
):
    warehouse = mirror_warehouse / "warehouse.duckdb"
    before = (warehouse.stat().st_mtime_ns, warehouse.stat().st_size)
    raw_manifest = mirror_warehouse / "raw" / "sgd" / "manifest.parquet"
    raw_before = raw_manifest.stat().st_mtime_ns
    result = run_pipeline(MIRROR_DATASETS, data_dir=mirror_warehouse)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("FAILED: MissingFilesError: sgd: 44 file(s) missing (")
    # The line names the first few files and where the full list is: every missing file.
    full_list = mirror_warehouse / "logs" / "missing_upstream_files.tsv"
    assert f"every missing file is listed in {full_list}" in last_line
    listed = full_list.read_text(encoding="utf-8").splitlines()
    assert listed[0] == "dataset\tpath"
    assert len([line for line in listed if line.startswith("sgd\t")]) == 44
    assert "sgd\tdev/dialogues_015.json" in listed
    assert (warehouse.stat().st_mtime_ns, warehouse.stat().st_size) == before
    assert raw_manifest.stat().st_mtime_ns == raw_before
    assert warehouse_rows(
        mirror_warehouse, "select count(*) from dialogues where dataset = 'camrest676'"
    ) == [(676,)]


# --- downstream intent sets (issue: downstream evaluation corpus) ---------------------------

PUBLISHED_INTENT_COUNTS = {
    "banking77": ({"train": 10003, "test": 3080}, 77),
    "clinc150": ({"train": 15100, "validation": 3100, "test": 5500}, 151),
    "hwu64": ({"train": 9960, "test": 1076}, 64),
    "snips": ({"train": 13084, "validation": 700, "test": 700}, 7),
}


@pytest.mark.parametrize("dataset", sorted(PUBLISHED_INTENT_COUNTS))
def test_intent_examples_and_labels_match_the_published_counts(mirror_warehouse, dataset):
    examples, n_labels = PUBLISHED_INTENT_COUNTS[dataset]
    counts = per_split(
        mirror_warehouse,
        f"select split, count(*) from intent_examples where dataset = '{dataset}' group by split",
    )
    assert counts == examples
    labels = per_split(
        mirror_warehouse,
        f"select split, count(distinct label) from intent_examples where dataset = '{dataset}' group by split",
    )
    assert set(labels.values()) == {n_labels}
    [(ids,)] = warehouse_rows(
        mirror_warehouse,
        f"select count(distinct label_id) from intent_examples where dataset = '{dataset}'",
    )
    assert ids == n_labels


def test_clinc150_out_of_scope_counts(mirror_warehouse):
    counts = per_split(
        mirror_warehouse,
        "select split, count(*) from intent_examples where dataset = 'clinc150' and is_out_of_scope "
        "and label = 'oos' group by split",
    )
    assert counts == {"train": 100, "validation": 100, "test": 1000}


def test_intent_published_statistics_are_verified_and_reproduced(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select dataset, split, statistic, is_reproduced, is_source_verified from published_statistics_comparison "
        "where dataset in ('banking77', 'clinc150', 'hwu64', 'snips')",
    )
    assert len(rows) >= 20
    assert all(reproduced and verified for *_, reproduced, verified in rows), rows


def test_duplicates_and_train_overlap_are_measured_per_split(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select dataset, split, n_duplicate_examples, n_shared_with_train from intent_text_overlap",
    )
    measured = {
        (dataset, split): (duplicates, shared) for dataset, split, duplicates, shared in rows
    }
    assert len(measured) == 10
    assert measured[("snips", "test")][1] > 0  # SNIPS test shares texts with train upstream
    assert measured[("clinc150", "train")][0] == 0


def test_dialogue_intent_examples_from_the_mirror_sgd(mirror_warehouse):
    rows = warehouse_rows(
        mirror_warehouse,
        "select split, n_user_turns, n_single_intent + n_several_intents + n_no_active_intent "
        "+ n_utterance_rejected, n_expected_examples, n_examples, n_labels "
        "from dialogue_intent_turn_outcomes where dataset = 'sgd'",
    )
    assert {row[0] for row in rows} == {"train", "validation", "test"}
    for split, turns, accounted, expected, examples, labels in rows:
        assert turns == accounted and expected == examples and examples > 0 and labels > 20, split
    raw_dialogues = mirror_warehouse / "raw" / "sgd" / "dialogues" / "**" / "*.parquet"
    [(user_turns,)] = warehouse_rows(  # counted straight from the raw Parquet, independently of dbt
        mirror_warehouse,
        f"select count(*) from (select unnest(turns) as turn from read_parquet('{raw_dialogues}')) "
        "where turn.speaker = 'USER'",
    )
    assert sum(row[1] for row in rows) == user_turns
    [(label_rows,)] = warehouse_rows(
        mirror_warehouse, "select count(*) from dialogue_intent_label_counts where dataset = 'sgd'"
    )
    assert label_rows > 60


# --- contrastive pairs (issue: utterance pairs and exports) --------------------------------


def test_sgd_next_turn_candidates_match_an_independent_count_and_steps_explain_the_rest(
    mirror_warehouse,
):
    independent = per_split(
        mirror_warehouse,
        "select split, count(*) from (select split, n_words, lead(n_words) over "
        "(partition by dialogue_id order by turn_index) as next_n_words from turns "
        "where dataset = 'sgd') where next_n_words > 3 and n_words > 3 group by split",
    )
    after_length_filter = per_split(
        mirror_warehouse,
        "select split, n_remaining from pair_filter_steps where dataset = 'sgd' "
        "and pair_type = 'next_turn' and step = 'min_words'",
    )
    assert after_length_filter == independent
    for split in ("train", "validation", "test"):
        steps = warehouse_rows(
            mirror_warehouse,
            "select step, n_removed, n_remaining from pair_filter_steps where dataset = 'sgd' "
            f"and pair_type = 'next_turn' and split = '{split}' order by step_order",
        )
        remaining = steps[0][2]
        for _, removed, left in steps[1:]:
            assert left == remaining - removed
            remaining = left
        [(pairs,)] = warehouse_rows(
            mirror_warehouse,
            "select count(*) from utterance_pairs where dataset = 'sgd' "
            f"and pair_type = 'next_turn' and split = '{split}'",
        )
        assert pairs == remaining


def test_mirror_export_holds_no_test_pair_and_no_downstream_test_text(mirror_warehouse, tmp_path):
    from datasets import load_dataset

    from warehouse.export import export

    export(
        mirror_warehouse / "warehouse.duckdb",
        tmp_path / "out",
        command="test",
        progress=lambda _: None,
    )
    pairs = load_dataset("parquet", data_dir=str(tmp_path / "out" / "pairs" / "next_turn"))
    provenance = load_dataset("parquet", data_dir=str(tmp_path / "out" / "pairs" / "provenance"))
    test_texts = {
        row[0]
        for row in warehouse_rows(
            mirror_warehouse,
            "select distinct lower(text) from intent_examples where split = 'test'",
        )
    }
    assert set(pairs) == {"train", "validation"}
    for split in pairs:
        assert set(provenance[split].unique("split")) == {split}
        assert not {t.lower() for t in pairs[split]["anchor"]} & test_texts
        assert not {t.lower() for t in pairs[split]["positive"]} & test_texts


def test_taskmaster4_dialogues_and_utterances(mirror_warehouse):
    [(dialogues, turns, rejected)] = warehouse_rows(
        mirror_warehouse,
        "select count(*), sum(n_turns), sum(n_rejected_utterances) from dialogues where dataset = 'taskmaster4'",
    )
    assert dialogues == 3710
    assert turns + rejected == 13915
    splits = per_split(
        mirror_warehouse,
        "select split, count(*) from dialogues where dataset = 'taskmaster4' group by split",
    )
    assert set(splits) == {"train", "validation", "test"} and sum(splits.values()) == 3710
    assert warehouse_rows(
        mirror_warehouse,
        "select distinct split_source from dialogues where dataset = 'taskmaster4'",
    ) == [("derived",)]
