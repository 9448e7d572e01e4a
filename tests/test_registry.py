"""The registry is the single source of truth: dbt gets what it needs of it as vars."""

from __future__ import annotations

import csv

import pytest
import yaml

from ingest.registry import (
    REGISTRY,
    UnknownDatasetError,
    dbt_vars,
    select_datasets,
)
from ingest.sources import parser_for
from tests.support import REPO_ROOT


def test_dbt_vars_list_the_registry_datasets_and_their_staging_models_exist():
    dataset_vars = dbt_vars()
    for kind, var in (("dialogues", "dialogue_datasets"), ("intents", "intent_datasets")):
        assert dataset_vars[var] == [d.id for d in REGISTRY.values() if d.kind == kind]
    assert dataset_vars["intent_label_catalogues"]
    for dataset_id in dataset_vars["intent_label_catalogues"]:
        staging = REPO_ROOT / "models" / "staging" / dataset_id
        assert (staging / f"stg_{dataset_id}__labels.sql").is_file(), dataset_id
    # The intents of user turns come from the frames that schema-guided staging reads.
    assert dataset_vars["dialogue_intent_datasets"]
    for dataset_id in dataset_vars["dialogue_intent_datasets"]:
        assert dataset_id in dataset_vars["dialogue_datasets"], dataset_id
        utterances = (
            REPO_ROOT / "models" / "staging" / dataset_id / f"stg_{dataset_id}__utterances.sql"
        )
        assert "schema_guided_utterances(" in utterances.read_text(encoding="utf-8"), dataset_id
    assert [row["dataset"] for row in dataset_vars["datasets"]] == list(REGISTRY)


def test_no_dataset_is_named_in_dbt_project_vars():
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert not set(project["vars"]) & set(dbt_vars()), "dbt_project.yml repeats the registry"


STAGING_MODELS = {"dialogues": ["dialogues", "utterances"], "intents": ["examples"]}


def test_every_dataset_has_a_parser_for_each_table_and_staging_models():
    for dataset in REGISTRY.values():
        parser = parser_for(dataset.id)
        assert isinstance(parser.PARSER_VERSION, int)
        assert {file.table for file in dataset.files} == set(parser.TABLES), dataset.id
        for raw_table in parser.TABLES.values():
            assert callable(raw_table.parse) and len(raw_table.schema) > 0
        staging = REPO_ROOT / "models" / "staging" / dataset.id
        for entity in STAGING_MODELS[dataset.kind]:
            assert (staging / f"stg_{dataset.id}__{entity}.sql").is_file(), (dataset.id, entity)


# Files without a checksum in the registry: MASSIVE, MInDS-14, MetaLWOZ and Frames are
# archives outside git (no blob SHA-1 is published; their checksum is recorded on first use,
# see ingest.lock_file). ATIS is in git, but no copy of MiuLab/SlotGated-SLU's blobs at the
# registry's commit was available to take its blob SHA-1s from: recorded on first use too.
FILES_WITHOUT_CHECKSUMS = {
    ("atis", "*"),
    ("massive", "*"),
    ("minds14", "*"),
    ("metalwoz", "*"),
    ("frames", "*"),
}
# Checksums checked against upstream at the registry's commits (issue 12).
PUBLISHED_CHECKSUMS = {
    ("taskmaster1", "TM-1-2019/train-dev-test/train.csv"): (
        "ee6ea0d9b0e1d21ae2daf9dc7d52b19645a1f95d",
        259_056,
    ),
    ("taskmaster1", "TM-1-2019/train-dev-test/dev.csv"): (
        "52bce051a3942578213d3c61568fb9e533864abd",
        32_340,
    ),
    ("taskmaster1", "TM-1-2019/train-dev-test/test.csv"): (
        "29b00f5ee4f7538b2670f32c0d85235b666c583d",
        32_340,
    ),
    ("taskmaster3", "TM-3-2020/splits/train/train-bc.tsv"): (
        "7961ffc3eacee1612aa251fa6c342e07d7defa8d",
        1_938_962,
    ),
    ("msre2e", "data/movie_all.tsv"): ("d7ba535bb3ff7656a8ee9f023000e83ceb0ed49e", 3_555_782),
    ("msre2e", "data/taxi_all.tsv"): ("99f7b26e94eb3d3245ee239960b070a5063a6244", 3_882_787),
}


def test_the_checksums_upstream_publishes_are_in_the_registry():
    files = {(d.id, f.path): f for d in REGISTRY.values() for f in d.files}
    for key, (sha1, size) in PUBLISHED_CHECKSUMS.items():
        assert (files[key].git_blob_sha1, files[key].size) == (sha1, size), key


# Files holding several splits, named inside the records.
MULTI_SPLIT_FILES = {
    ("clinc150", "data/data_full.json"),
    ("massive", "amazon-massive-dataset-1.1.tar.gz"),
}


def test_every_upstream_file_has_a_checksum_and_a_known_split():
    for dataset in REGISTRY.values():
        assert dataset.files, dataset.id
        for file in dataset.files:
            if {(dataset.id, "*"), (dataset.id, file.path)} & FILES_WITHOUT_CHECKSUMS:
                assert file.git_blob_sha1 is None, file
            else:
                assert file.git_blob_sha1 and len(file.git_blob_sha1) == 40, file
            primary = file.table in ("dialogues", "examples", "tokens", "slot_tags")
            # Taskmaster-1 and -3 name their splits in separate id lists, not in the dialogue files.
            split_lists = dataset.id in ("taskmaster1", "taskmaster3")
            if dataset.split_source == "official" and primary and not split_lists:
                if (dataset.id, file.path) in MULTI_SPLIT_FILES:
                    assert file.upstream_split is None, file
                else:
                    assert file.upstream_split in {"train", "dev", "validate", "valid", "test"}, (
                        file
                    )


def test_published_statistics_name_registered_datasets():
    with open(REPO_ROOT / "seeds" / "published_statistics.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["dataset"] for row in rows} == set(REGISTRY)


def test_sgd_lists_every_upstream_dialogue_file():
    per_split = {}
    for file in REGISTRY["sgd"].files:
        per_split[file.upstream_split] = per_split.get(file.upstream_split, 0) + 1
    assert per_split == {"train": 127, "dev": 20, "test": 34}


def test_url_is_pinned_to_the_commit():
    dataset = REGISTRY["woz2"]
    url = dataset.url(dataset.files[0])
    assert url == (
        "https://raw.githubusercontent.com/nmrksic/neural-belief-tracker/"
        "63b5933d867fd9dacc2bfadcc5f6be3a3ef8ee77/data/woz/woz_train_en.json"
    )


def test_unknown_dataset_name_is_a_clear_error():
    with pytest.raises(UnknownDatasetError, match=r"unknown dataset 'multiwoz'.*known: sgd"):
        select_datasets(["camrest676", "multiwoz"])


def test_a_default_download_run_leaves_out_manual_download_datasets():
    from pathlib import Path

    from run_pipeline import datasets_to_ingest

    everything = select_datasets(None)
    kept, skipped = datasets_to_ingest(everything, named=False, mirror=None)
    assert skipped == ["frames"] and "frames" not in {d.id for d in kept}
    assert len(kept) == len(everything) - 1
    assert datasets_to_ingest(everything, named=False, mirror=Path("m"))[1] == []
    assert datasets_to_ingest([REGISTRY["frames"]], named=True, mirror=None)[1] == []
