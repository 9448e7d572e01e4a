"""End to end on the hand-made upstream fixtures: ingest, `dbt build` green, counts reconcile."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from ingest.registry import REGISTRY
from ingest.runner import ensure_placeholders
from tests.support import (
    FIXTURE_UPSTREAM,
    REPO_ROOT,
    fixture_dataset,
    run_pipeline_cli,
    warehouse_rows,
)
from warehouse.build import BuildError, build_warehouse

DIALOGUE_DATASETS = [d.id for d in REGISTRY.values() if d.kind == "dialogues"]
INTENT_DATASETS = [d.id for d in REGISTRY.values() if d.kind == "intents"]


def _load(path: Path):
    text = path.read_text(encoding="utf-8")
    return json.loads("\n".join(line for line in text.splitlines() if not line.startswith("#")))


def _metalwoz_dialogues(content: bytes) -> list[dict]:
    """Every dialogue line of a MetaLWOZ zip and of any zip nested in it, in archive order."""
    dialogues = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            member = PurePosixPath(name)
            if member.suffix == ".zip":
                dialogues += _metalwoz_dialogues(archive.read(name))
            elif member.suffix == ".txt" and member.parent.name == "dialogues":
                lines = archive.read(name).decode("utf-8").splitlines()
                dialogues += [json.loads(line) for line in lines if line.strip()]
    return dialogues


def _msre2e_sessions(path: Path) -> list[list[str]]:
    """Message texts per session of one MSR-E2E TSV, ordered by Message.ID (stable)."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = [row for row in csv.reader(stream, delimiter="\t") if row][1:]
    sessions: dict[str, list[list[str]]] = {}
    for row in rows:
        sessions.setdefault(row[0], []).append(row)
    return [
        [row[4] for row in sorted(messages, key=lambda row: int(row[1]))]
        for messages in sessions.values()
    ]


def upstream_utterances(dataset_id: str, path: Path) -> list[list[str]]:
    """The utterance texts of each dialogue in a fixture file, read straight from the file."""
    if dataset_id == "metalwoz":
        return [list(d["turns"]) for d in _metalwoz_dialogues(path.read_bytes())]
    if dataset_id == "msre2e":
        return _msre2e_sessions(path)
    dialogues = _load(path)
    if dataset_id in ("sgd", "multiwoz22"):
        return [[turn["utterance"] for turn in d["turns"]] for d in dialogues]
    if dataset_id == "camrest676":
        return [
            [u for t in d["dial"] for u in (t["usr"]["transcript"], t["sys"]["sent"])]
            for d in dialogues
        ]
    if dataset_id == "woz2":
        result = []
        for d in dialogues:
            texts = []
            for position, turn in enumerate(d["dialogue"]):
                if not (position == 0 and turn["system_transcript"] == ""):
                    texts.append(turn["system_transcript"])
                texts.append(turn["transcript"])
            result.append(texts)
        return result
    if dataset_id == "kvret":
        return [[turn["data"]["utterance"] for turn in d["dialogue"]] for d in dialogues]
    if dataset_id == "frames":
        return [[turn["text"] for turn in d["turns"]] for d in dialogues]
    if dataset_id.startswith("taskmaster"):
        return [[utterance["text"] for utterance in d["utterances"]] for d in dialogues]
    raise AssertionError(f"no counting rule for {dataset_id}")


def expected_counts(dataset_id: str) -> dict[str, int]:
    counts = {"dialogues": 0, "utterances": 0, "empty": 0, "dialogues_all_empty": 0}
    for file in fixture_dataset(dataset_id).files:
        if file.table not in ("dialogues", "messages"):
            continue
        path = FIXTURE_UPSTREAM / file.mirror_folder / file.path
        for texts in upstream_utterances(dataset_id, path):
            empty = sum(1 for text in texts if " ".join(text.split()) == "")
            counts["dialogues"] += 1
            counts["utterances"] += len(texts)
            counts["empty"] += empty
            counts["dialogues_all_empty"] += int(empty == len(texts))
    return counts


def first_column(data_dir: Path, sql: str) -> list:
    """The first value of each row the query returns."""
    return [row[0] for row in warehouse_rows(data_dir, sql)]


def test_dbt_build_is_green_and_reports_unverified_published_counts(fixture_warehouse):
    _, summary = fixture_warehouse
    assert summary.failed == 0
    assert summary.passed > 50
    # Fixtures are not the published data: the published-count check warns, it does not fail.
    assert any("published_statistics_unverified_sources" in w for w in summary.warnings)


@pytest.mark.parametrize("dataset_id", DIALOGUE_DATASETS)
def test_every_upstream_record_is_in_a_mart_or_rejected(fixture_warehouse, dataset_id):
    data_dir, _ = fixture_warehouse
    expected = expected_counts(dataset_id)
    [(turns,)] = warehouse_rows(
        data_dir, "select count(*) from turns where dataset = ?", [dataset_id]
    )
    [(dialogues,)] = warehouse_rows(
        data_dir, "select count(*) from dialogues where dataset = ?", [dataset_id]
    )
    rejected = dict(
        warehouse_rows(
            data_dir,
            "select record_level, count(*) from rejected_records where dataset = ? group by 1",
            [dataset_id],
        )
    )
    assert turns == expected["utterances"] - expected["empty"]
    assert rejected.get("utterance", 0) == expected["empty"]
    assert dialogues == expected["dialogues"] - expected["dialogues_all_empty"]
    assert rejected.get("dialogue", 0) == expected["dialogues_all_empty"]


def test_fixtures_plant_empty_utterances_that_are_rejected(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    planted = {d: expected_counts(d)["empty"] for d in DIALOGUE_DATASETS}
    assert all(planted[d] > 0 for d in ("sgd", "woz2", "kvret")), planted
    rows = warehouse_rows(
        data_dir,
        "select distinct rejection_reason from rejected_records where record_level = 'utterance'",
    )
    assert rows == [("empty_utterance",)]


def test_turn_index_is_contiguous_and_speakers_normalised(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    [(bad,)] = warehouse_rows(
        data_dir,
        "select count(*) from (select dialogue_id from turns group by dialogue_id "
        "having min(turn_index) != 0 or max(turn_index) != count(*) - 1)",
    )
    assert bad == 0
    assert {r[0] for r in warehouse_rows(data_dir, "select distinct speaker from turns")} == {
        "user",
        "system",
    }
    assert {r[0] for r in warehouse_rows(data_dir, "select distinct split from turns")} == {
        "train",
        "validation",
        "test",
    }


def test_sgd_ids_repeated_across_splits_stay_distinct_dialogues(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select source_dialogue_id, count(distinct split) from dialogues where dataset = 'sgd' "
        "group by 1 having count(distinct split) > 1",
    )
    assert rows, "the SGD fixtures should reuse one dialogue id in two splits"


def test_dialogue_text_is_the_speaker_tagged_turns(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    [(turns, text, n_turns)] = warehouse_rows(
        data_dir,
        "select turns, dialogue_text, n_turns from dialogues where dataset = 'camrest676' "
        "order by dialogue_id limit 1",
    )
    assert len(turns) == n_turns
    assert text.split("\n") == [f"{t['speaker']}: {t['text']}" for t in turns]


def test_a_failed_build_leaves_the_previous_warehouse_readable(fixture_warehouse, tmp_path):
    data_dir, _ = fixture_warehouse
    [(before,)] = warehouse_rows(data_dir, "select count(*) from turns")
    broken_raw = tmp_path / "raw"
    ensure_placeholders(list(REGISTRY.values()), broken_raw)
    (broken_raw / "camrest676" / "dialogues" / "no_records.parquet").write_bytes(b"not parquet")
    warehouse = data_dir / "warehouse.duckdb"
    stamp = warehouse.stat().st_mtime_ns
    with pytest.raises(BuildError):
        build_warehouse(warehouse, broken_raw, target_dir=tmp_path / "target")
    assert warehouse.stat().st_mtime_ns == stamp
    assert not (data_dir / "warehouse.duckdb.building").exists()
    assert not (data_dir / "warehouse.duckdb.work").exists()
    assert warehouse_rows(data_dir, "select count(*) from turns") == [(before,)]


def test_the_intermediates_stay_out_of_the_warehouse(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    schemas = set(first_column(data_dir, "select distinct schema_name from duckdb_tables()"))
    assert "main" in schemas and "intermediate" not in schemas
    assert not (data_dir / "warehouse.duckdb.work").exists()


def test_cli_unknown_dataset_is_a_one_line_error(tmp_path):
    result = run_pipeline_cli("--datasets", "sgd,nosuch", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("FAILED: unknown dataset 'nosuch'")
    assert not (tmp_path / "raw").exists()


def test_cli_missing_mirror_folder_is_a_one_line_error(tmp_path):
    result = run_pipeline_cli(
        "--mirror", str(tmp_path / "nowhere"), "--datasets", "camrest676", data_dir=tmp_path
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("FAILED: IngestError: mirror folder") and "nowhere" in last


MART_FOLDERS = ["pretrain", "quality", "downstream", "exports", "evaluation"]


def described_mart_columns() -> dict[str, dict[str, str]]:
    """Columns and their descriptions of every mart, as the models YAML states them."""
    import yaml

    described = {}
    for folder in MART_FOLDERS:
        for path in (REPO_ROOT / "models" / "marts" / folder).glob("_*__models.yml"):
            for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
                described[model["name"]] = {
                    column["name"]: column.get("description", "") for column in model["columns"]
                }
    return described


def test_every_mart_column_is_described(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    described = described_mart_columns()
    mart_files = {
        path.stem
        for folder in MART_FOLDERS
        for path in (REPO_ROOT / "models" / "marts" / folder).glob("*.sql")
    }
    assert set(described) == mart_files
    for model, columns in described.items():
        actual = first_column(data_dir, f"describe {model}")
        assert list(columns) == actual, model
        assert all(description.strip() for description in columns.values()), model


def test_dbt_docs_generate_works_and_every_model_and_column_is_described(
    fixture_warehouse, tmp_path
):
    from warehouse.build import run_dbt

    data_dir, _ = fixture_warehouse
    result = run_dbt(
        ["docs", "generate"],
        data_dir / "warehouse.duckdb",
        data_dir / "raw",
        target_dir=tmp_path / "docs",
    )
    assert result.success, result.exception
    catalog = json.loads((tmp_path / "docs" / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "docs" / "manifest.json").read_text(encoding="utf-8"))
    turns = next(node for key, node in catalog["nodes"].items() if key.endswith(".turns"))
    assert "text" in turns["columns"]
    undescribed = []
    for unique_id, node in catalog["nodes"].items():
        if not unique_id.startswith("model."):
            continue
        model = manifest["nodes"][unique_id]
        if not model["description"].strip():
            undescribed.append(model["name"])
        for column in node["columns"]:
            described = model["columns"].get(column, {}).get("description", "").strip()
            if not described:
                undescribed.append(f"{model['name']}.{column}")
    assert undescribed == []


# --- downstream intent sets ----------------------------------------------------------------


@pytest.mark.parametrize("dataset_id", INTENT_DATASETS)
def test_every_raw_intent_example_is_kept_or_rejected(fixture_warehouse, dataset_id):
    data_dir, _ = fixture_warehouse
    manifest = data_dir / "raw" / dataset_id / "manifest.parquet"
    [(raw,)] = warehouse_rows(
        data_dir,
        "select sum(records) from read_parquet(?) where table_name = 'examples'",
        [str(manifest)],
    )
    [(kept,)] = warehouse_rows(
        data_dir, "select count(*) from intent_examples where dataset = ?", [dataset_id]
    )
    [(rejected,)] = warehouse_rows(
        data_dir,
        "select count(*) from rejected_records where dataset = ? and record_level = 'intent_example'",
        [dataset_id],
    )
    assert raw > 0
    assert kept > 0
    assert kept + rejected == raw


def test_banking77_fixture_counts_labels_and_upstream_label_order(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    counts = dict(
        warehouse_rows(
            data_dir,
            "select split, count(*) from intent_examples where dataset = 'banking77' group by 1",
        )
    )
    # train.csv has 7 rows, one of them only spaces (rejected); test.csv has 4.
    assert counts == {"train": 6, "test": 4}
    rejected = warehouse_rows(
        data_dir,
        "select raw_text, rejection_reason from rejected_records where dataset = 'banking77'",
    )
    assert rejected == [("   ", "empty_text")]
    label_ids = dict(
        warehouse_rows(
            data_dir,
            "select distinct label, label_id from intent_examples where dataset = 'banking77'",
        )
    )
    assert label_ids == {"card_arrival": 0, "card_linking": 1, "exchange_rate": 2}


def test_label_ids_are_dense_per_dataset(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select dataset, count(distinct label), count(distinct label_id), min(label_id), max(label_id) "
        "from intent_examples group by dataset",
    )
    for dataset, n_labels, n_ids, lowest, highest in rows:
        assert n_labels == n_ids, dataset
        assert (lowest, highest) == (0, n_labels - 1), dataset


def test_clinc150_out_of_scope_keeps_its_name_and_flag(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select distinct label, is_out_of_scope, scenario is null from intent_examples "
        "where dataset = 'clinc150' and (label = 'oos' or is_out_of_scope)",
    )
    assert rows == [("oos", True, True)]
    [(with_domain,)] = warehouse_rows(
        data_dir,
        "select count(*) from intent_examples where dataset = 'clinc150' and not is_out_of_scope "
        "and scenario is null",
    )
    assert with_domain == 0


def test_massive_locales_stay_distinct(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    locales = set(
        first_column(
            data_dir, "select distinct locale from intent_examples where dataset = 'massive'"
        )
    )
    assert {"zh-CN", "zh-TW", "en-US"} <= locales
    languages = dict(
        warehouse_rows(
            data_dir,
            "select distinct locale, language from intent_examples where dataset = 'massive'",
        )
    )
    assert languages["zh-TW"] == "zh" and languages["zh-CN"] == "zh"


def test_minds14_keeps_the_english_transcription_beside_the_text(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    [(n, with_english)] = warehouse_rows(
        data_dir,
        "select count(*), count(english_text) from intent_examples where dataset = 'minds14' and locale != 'en-US'",
    )
    assert n > 0 and with_english == n
    [(derived,)] = warehouse_rows(
        data_dir,
        "select bool_and(split_source = 'derived') from intent_examples where dataset = 'minds14'",
    )
    assert derived


def test_atis_multi_intent_labels_kept_and_unseen_test_labels_reported(fixture_warehouse):
    data_dir, summary = fixture_warehouse
    labels = set(
        first_column(data_dir, "select distinct label from intent_examples where dataset = 'atis'")
    )
    assert "atis_flight#atis_airfare" in labels
    missing = warehouse_rows(
        data_dir,
        "select label from intent_label_coverage where dataset = 'atis' and split = 'test' and not is_in_train",
    )
    assert ("atis_day_name",) in missing
    assert any(w.startswith("intent_labels_missing_from_train") for w in summary.warnings)


def test_train_test_overlap_is_measured(fixture_warehouse):
    data_dir, summary = fixture_warehouse
    [(shared,)] = warehouse_rows(
        data_dir,
        "select n_shared_with_train from intent_text_overlap where dataset = 'banking77' and split = 'test'",
    )
    assert shared == 1  # "I am still waiting on my card?" is in both train.csv and test.csv
    [(duplicates,)] = warehouse_rows(
        data_dir,
        "select n_duplicate_examples from intent_text_overlap where dataset = 'banking77' and split = 'train'",
    )
    assert duplicates == 1  # "What is the exchange rate?" twice, differing only in case
    assert any(w.startswith("intent_texts_shared_with_train") for w in summary.warnings)


# --- dialogue-context intents --------------------------------------------------------------


def test_every_user_turn_of_annotated_dialogues_is_accounted_for(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select dataset, sum(n_user_turns), sum(n_single_intent + n_several_intents + n_no_active_intent "
        "+ n_utterance_rejected), sum(n_examples), sum(n_no_active_intent), sum(n_several_intents) "
        "from dialogue_intent_turn_outcomes group by dataset",
    )
    by_dataset = {row[0]: row[1:] for row in rows}
    assert set(by_dataset) == {"sgd", "multiwoz22"}
    for dataset, (turns, accounted, examples, _, _) in by_dataset.items():
        assert turns == accounted and examples > 0, dataset
    # Counted straight from the raw Parquet, independently of the dbt models.
    user_turns = {
        dataset: warehouse_rows(
            data_dir,
            "select count(*) from (select unnest(turns) as turn from read_parquet(?)) "
            "where turn.speaker = 'USER'",
            [str(data_dir / "raw" / dataset / "dialogues" / "**" / "*.parquet")],
        )[0][0]
        for dataset in ("sgd", "multiwoz22")
    }
    assert {d: v[0] for d, v in by_dataset.items()} == user_turns
    assert by_dataset["sgd"][3] > 0, "the SGD fixture has a user turn whose frames all say NONE"
    assert by_dataset["sgd"][4] > 0, "the SGD fixture has a user turn with two frames and intents"


def test_dialogue_intent_context_is_the_preceding_turns(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    rows = warehouse_rows(
        data_dir,
        "select e.dialogue_id, e.turn_index, e.context_turns, e.context_text from dialogue_intent_examples e "
        "where e.turn_index > 0 order by e.example_id limit 5",
    )
    assert rows
    for dialogue_id, turn_index, context_turns, context_text in rows:
        earlier = warehouse_rows(
            data_dir,
            "select speaker, text from turns where dialogue_id = ? and turn_index < ? order by turn_index",
            [dialogue_id, turn_index],
        )
        assert [(t["speaker"], t["text"]) for t in context_turns] == earlier
        assert context_text == "\n".join(f"{speaker}: {text}" for speaker, text in earlier)
