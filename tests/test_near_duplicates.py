"""Near-duplicates end to end, on a hand-built corpus with known near-duplicates.

A mirror of two datasets is written here, in their upstream formats: BANKING77 (train and
test CSV) and CamRest676 (five dialogues: three train, one validation, one test). Its texts
hold near-duplicates of every kind the detector is meant to find at the default threshold
(0.8 Jaccard over word bigrams of the normal form) and pairs it must not report, each with its
Jaccard similarity computed by hand below. The warehouse is built from it with the project's
default vars, and the tests check the pairs, the flags, the metrics and that the training
export leaves out the utterances planted near a BANKING77 test text.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import duckdb
import pytest

from ingest.registry import REGISTRY, Dataset, dbt_vars
from ingest.runner import ensure_placeholders, run_ingest
from warehouse.build import build_warehouse
from warehouse.export import export

# --- the hand-built corpus ---------------------------------------------------------------

# BANKING77 test texts: the downstream evaluation texts.
ACTIVATE = "How do I activate my new card in the app?"
REORDERED_TRANSFER = "Transfer money from checking to savings"
CHANGE_PIN = "Can I change my PIN at any cash machine?"
CURRENCIES = "What currencies can I hold in my account?"
DOLLAR_RATE = "What is the exchange rate for dollars"
BAD_RATE_WITH_THAT = (
    "Could you please explain to me why the exchange rate that you applied to my last "
    "transfer was so bad"
)
FREEZE_IF_LOST = "If I lose my card how do I freeze my account right away"

# BANKING77 train texts.
ACTIVATE_LOWER = "how do i activate my new card in the app"  # punctuation and case
CANT_FIND = "I can't find my card, where is it?"
CANT_FIND_PLAIN = "i cant find my card where is it"  # apostrophe and punctuation
FREEZE = "How do I freeze my account right away if I lose my card?"  # clauses swapped
TRANSFER = "Transfer money from savings to checking"
EURO_RATE = "What is the exchange rate for euros"
BAD_RATE = (
    "Could you please explain to me why the exchange rate you applied to my last transfer "
    "was so bad"
)
ORDER_CARD = "I would like to order a new card for my husband please"

# CamRest676 utterances planted near BANKING77 texts.
ACTIVATE_UPPER = "HOW DO I ACTIVATE MY NEW CARD IN THE APP"  # not equal lower-cased: no "?"
HELLO_CHANGE_PIN = "Hello, can I change my PIN at any cash machine?"
SAVINGS_CURRENCIES = "What currencies can I hold in my savings account today"
ORDER_CARD_NO_PLEASE = "I would like to order a new card for my husband"
CHEAP_NORTH = "I want a cheap restaurant in the north part of town"
CHEAP_NORTH_PLEASE = "I want a cheap restaurant in the north part of town please"
ROYAL_SPICE = "Royal Spice is a cheap Indian restaurant in the north."

DIALOGUES = [  # (user, system) turns; in file order 3 train, 1 validation, 1 test
    [
        (ACTIVATE_UPPER, "There are several restaurants in the south part of town."),
        (HELLO_CHANGE_PIN, "Do you have a cuisine preference for tonight?"),
        (CURRENCIES, "Golden House serves cheap Chinese food in the centre."),
    ],
    [
        (SAVINGS_CURRENCIES, "The phone number of the restaurant is 01223 350688."),
        (ORDER_CARD_NO_PLEASE, "Is there anything else I can help you with today?"),
    ],
    [
        (CHEAP_NORTH, ROYAL_SPICE),
        ("Thank you very much, goodbye.", "Goodbye and enjoy your meal."),
    ],
    [("Could I get the address of the Italian place please", "It is at 4 Regent Street.")],
    [(CHEAP_NORTH_PLEASE, ROYAL_SPICE)],
]
BANKING_TRAIN = [
    (ACTIVATE_LOWER, "activate_my_card"),
    (CANT_FIND, "lost_or_stolen_card"),
    (CANT_FIND_PLAIN, "lost_or_stolen_card"),
    (FREEZE, "lost_or_stolen_card"),
    (TRANSFER, "transfer_into_account"),
    (EURO_RATE, "exchange_rate"),
    (BAD_RATE, "exchange_rate"),
    (ORDER_CARD, "order_physical_card"),
]
BANKING_TEST = [
    (ACTIVATE, "activate_my_card"),
    (REORDERED_TRANSFER, "transfer_into_account"),
    (CHANGE_PIN, "change_pin"),
    (CURRENCIES, "exchange_rate"),
    (DOLLAR_RATE, "exchange_rate"),
    (BAD_RATE_WITH_THAT, "exchange_rate"),
    (FREEZE_IF_LOST, "lost_or_stolen_card"),
]
LABELS = sorted({label for _, label in BANKING_TRAIN + BANKING_TEST})

# The near-duplicates at the default threshold, by the normal forms of their two sides, with
# their Jaccard similarity over word bigrams, counted by hand (shared / union). A pair of equal
# normal forms is reported between groups (kind, dataset, split, locale) that both hold it.
EXPECTED_PAIRS = {
    # punctuation and case: one normal form in BANKING77 test and train and a CamRest turn
    frozenset({"how do i activate my new card in the app"}): Fraction(1),
    # the same text in a CamRest dialogue and a BANKING77 test example
    frozenset({"what currencies can i hold in my account"}): Fraction(1),
    # a CamRest system reply repeated in a test dialogue
    frozenset({"royal spice is a cheap indian restaurant in the north"}): Fraction(1),
    # a greeting put in front: 8 bigrams shared of 9
    frozenset(
        {"can i change my pin at any cash machine", "hello can i change my pin at any cash machine"}
    ): Fraction(8, 9),
    # clauses swapped: 11 of the 12 bigrams of each kept, 13 in all
    frozenset(
        {
            "how do i freeze my account right away if i lose my card",
            "if i lose my card how do i freeze my account right away",
        }
    ): Fraction(11, 13),
    # a word inserted mid-sentence in a long text: 17 shared of 20
    frozenset(
        {
            "could you please explain to me why the exchange rate you applied to my last "
            "transfer was so bad",
            "could you please explain to me why the exchange rate that you applied to my last "
            "transfer was so bad",
        }
    ): Fraction(17, 20),
    # "please" dropped at the end: 10 of 11
    frozenset(
        {
            "i would like to order a new card for my husband please",
            "i would like to order a new card for my husband",
        }
    ): Fraction(10, 11),
    # "please" added at the end, in a test dialogue of the same dataset: 10 of 11
    frozenset(
        {
            "i want a cheap restaurant in the north part of town",
            "i want a cheap restaurant in the north part of town please",
        }
    ): Fraction(10, 11),
}
# Pairs that must not be reported: their similarity is below 0.8.
EXPECTED_NEGATIVES = {
    # the same words in another order, another meaning: 2 of 8
    ("transfer money from checking to savings", "transfer money from savings to checking"): 0.25,
    # one slot value changed in a short text: 5 of 7
    ("what is the exchange rate for dollars", "what is the exchange rate for euros"): 5 / 7,
    # words added in the middle and at the end: 6 of 10
    (
        "what currencies can i hold in my account",
        "what currencies can i hold in my savings account today",
    ): 0.6,
}


def write_mirror(mirror: Path) -> None:
    """The two datasets' upstream files, in their upstream formats."""
    banking = mirror / "banking77" / "banking_data"
    banking.mkdir(parents=True)
    for name, rows in (("train.csv", BANKING_TRAIN), ("test.csv", BANKING_TEST)):
        with (banking / name).open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(["text", "category"])
            writer.writerows(rows)
    (banking / "categories.json").write_text(json.dumps(LABELS, indent=2), encoding="utf-8")
    records = [
        {
            "dial": [
                {
                    "sys": {"DA": [], "sent": system},
                    "turn": index,
                    "usr": {"slu": [], "transcript": user},
                }
                for index, (user, system) in enumerate(turns)
            ],
            "dialogue_id": number,
            "finished": True,
            "goal": {"constraints": [], "request-slots": [], "text": "A hand-built dialogue."},
        }
        for number, turns in enumerate(DIALOGUES)
    ]
    camrest = mirror / "camrest676" / "data"
    camrest.mkdir(parents=True)
    (camrest / "CamRest676.json").write_text(
        "#" * 20 + "\n# hand-built for tests/test_near_duplicates.py\n" + json.dumps(records),
        encoding="utf-8",
    )


def mirror_dataset(dataset_id: str, mirror: Path) -> Dataset:
    """The registry's dataset restricted to the files written into mirror, no checksums."""
    files = tuple(
        dataclasses.replace(file, git_blob_sha1=None, size=None)
        for file in REGISTRY[dataset_id].files
        if (mirror / file.mirror_folder / file.path).is_file()
    )
    assert files, dataset_id
    return dataclasses.replace(REGISTRY[dataset_id], files=files)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The warehouse of the hand-built corpus, built with the project's default vars."""
    data_dir = tmp_path_factory.mktemp("near_duplicates")
    mirror = data_dir / "mirror"
    write_mirror(mirror)
    run_ingest(
        [mirror_dataset("banking77", mirror), mirror_dataset("camrest676", mirror)],
        data_dir / "raw",
        data_dir / "cache",
        mirror=mirror,
        progress=lambda _: None,
    )
    ensure_placeholders(list(REGISTRY.values()), data_dir / "raw")
    build_warehouse(
        data_dir / "warehouse.duckdb",
        data_dir / "raw",
        target_dir=data_dir / "target",
        dbt_vars=dbt_vars(),
    )
    return data_dir / "warehouse.duckdb"


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


# --- an independent reference: the definitions of the README, in Python ------------------


def normal_form(text: str) -> str:
    """Lower-cased, apostrophes dropped, runs of other non-alphanumerics one space."""
    return re.sub(r"[\W_]+", " ", re.sub(r"['’`]", "", text.lower())).strip()


def bigrams(form: str) -> set[tuple[str, ...]]:
    words = form.split(" ")
    if len(words) < 2:
        return {tuple(words)}
    return {tuple(words[position : position + 2]) for position in range(len(words) - 1)}


def jaccard(left: str, right: str) -> Fraction:
    a, b = bigrams(left), bigrams(right)
    return Fraction(len(a & b), len(a | b))


def test_the_hand_computed_similarities_hold():
    """The fixture's own arithmetic: every expected similarity and every negative."""
    for pair, similarity in EXPECTED_PAIRS.items():
        forms = sorted(pair)
        if len(forms) == 2:
            assert jaccard(*forms) == similarity, forms
    for (left, right), similarity in EXPECTED_NEGATIVES.items():
        assert float(jaccard(left, right)) == pytest.approx(similarity)
        assert jaccard(left, right) < Fraction(4, 5)


def test_exactly_the_expected_pairs_are_found(warehouse):
    rows = query(
        warehouse, "select normal_form, neighbour_normal_form, similarity from near_duplicate_pairs"
    )
    found = {frozenset({left, right}): similarity for left, right, similarity in rows}
    assert set(found) == set(EXPECTED_PAIRS)
    for pair, similarity in EXPECTED_PAIRS.items():
        assert found[pair] == pytest.approx(float(similarity)), sorted(pair)
    for left, right in EXPECTED_NEGATIVES:
        assert frozenset({left, right}) not in found


def test_lsh_misses_nothing_a_brute_force_comparison_finds(warehouse):
    """Every pair of distinct normal forms of the warehouse at Jaccard >= 0.8, compared one by
    one in Python, is a pair the detector reported (no candidate lost to banding)."""
    texts = [
        row[0]
        for row in query(
            warehouse, "select text from turns union all select text from intent_examples"
        )
    ]
    forms = sorted({normal_form(text) for text in texts} - {""})
    brute_force = {
        frozenset({left, right})
        for left, right in combinations(forms, 2)
        if jaccard(left, right) >= Fraction(4, 5)
    }
    reported = {
        frozenset({left, right})
        for left, right in query(
            warehouse,
            "select normal_form, neighbour_normal_form from near_duplicate_pairs "
            "where not is_same_normal_form",
        )
    }
    assert reported == brute_force


def test_equal_normal_forms_pair_groups_of_different_splits_and_sources(warehouse):
    rows = query(
        warehouse,
        "select record_kind, dataset, split, neighbour_record_kind, neighbour_dataset, "
        "neighbour_split from near_duplicate_pairs where normal_form = ? order by all",
        [normal_form(ACTIVATE)],
    )
    # Oriented: the intent example first, test before train.
    assert rows == [
        ("intent_example", "banking77", "test", "intent_example", "banking77", "train"),
        ("intent_example", "banking77", "test", "utterance", "camrest676", "train"),
        ("intent_example", "banking77", "train", "utterance", "camrest676", "train"),
    ]


def test_planted_near_duplicates_of_test_texts_leave_the_training_export(warehouse, tmp_path):
    from datasets import load_dataset

    turns = dict(query(warehouse, "select text, training_exclusion from turns"))
    assert turns[CURRENCIES] == "equals_evaluation_text"
    assert turns[ACTIVATE_UPPER] == "near_evaluation_text"  # an equal normal form only
    assert turns[HELLO_CHANGE_PIN] == "near_evaluation_text"  # Jaccard 8/9
    assert turns[SAVINGS_CURRENCIES] is None  # 0.6: stays
    assert turns[ORDER_CARD_NO_PLEASE] is None  # near a train text only: stays
    [(equal, near, near_pairs)] = query(
        warehouse,
        "select n_turns_equal_to_evaluation_text, n_turns_near_evaluation_text, "
        "n_pairs_near_evaluation_text from decontamination_summary "
        "where dataset = 'camrest676' and split = 'train'",
    )
    assert (equal, near) == (1, 2)
    assert near_pairs >= 1

    summary = export(warehouse, tmp_path / "out", command="test", progress=lambda _: None)
    exported = load_dataset("parquet", data_dir=str(tmp_path / "out" / "pretrain_turns"))
    texts = {text for split in exported for text in exported[split]["text"]}
    assert not {ACTIVATE_UPPER, HELLO_CHANGE_PIN, CURRENCIES} & texts
    assert {SAVINGS_CURRENCIES, ORDER_CARD_NO_PLEASE, CHEAP_NORTH} <= texts
    planted = (ACTIVATE_UPPER, HELLO_CHANGE_PIN, CURRENCIES)
    for pair_type in ("next_turn", "context_response"):
        pairs = load_dataset("parquet", data_dir=str(tmp_path / "out" / "pairs" / pair_type))
        for split in pairs:
            for anchor, positive in zip(
                pairs[split]["anchor"], pairs[split]["positive"], strict=True
            ):
                assert not any(text in anchor or text == positive for text in planted)
    assert summary.rows["pretrain_turns"]["train"] == 11  # the 14 train turns but the planted 3
    card = (tmp_path / "out" / "pretrain_turns" / "README.md").read_text(encoding="utf-8")
    assert "1 utterances equal to a downstream validation/test example removed" in card
    assert "2 more near one" in card


def test_intent_examples_flag_the_test_texts_near_train_and_the_clean_view_drops_them(warehouse):
    flags = dict(
        query(
            warehouse,
            "select text, nearest_train_similarity from intent_examples "
            "where dataset = 'banking77' and split = 'test'",
        )
    )
    assert flags == {
        ACTIVATE: pytest.approx(1.0),
        REORDERED_TRANSFER: None,
        CHANGE_PIN: None,  # near a CamRest turn, not a train example
        CURRENCIES: None,
        DOLLAR_RATE: None,
        BAD_RATE_WITH_THAT: pytest.approx(17 / 20),
        FREEZE_IF_LOST: pytest.approx(11 / 13),
    }
    clean = {
        row[0]
        for row in query(
            warehouse,
            "select text from intent_examples_clean_test where dataset = 'banking77' "
            "and split = 'test'",
        )
    }
    assert clean == {REORDERED_TRANSFER, CHANGE_PIN, CURRENCIES, DOLLAR_RATE}
    [(train_rows,)] = query(
        warehouse,
        "select count(*) from intent_examples_clean_test where split = 'train' "
        "and dataset = 'banking77'",
    )
    assert train_rows == len(BANKING_TRAIN)


def test_metrics_set_near_duplicates_beside_exact_ones(warehouse):
    rows = query(
        warehouse,
        "select split, n_records, n_exact_duplicates_within_split, "
        "n_near_duplicates_within_split, n_equal_to_train, n_near_train, "
        "n_equal_to_pretraining, n_near_pretraining from near_duplicate_metrics "
        "where dataset = 'banking77' order by split",
    )
    assert rows == [
        # test: only CURRENCIES equals a CamRest turn lower-cased; ACTIVATE, CHANGE_PIN and
        # CURRENCIES are near one. ACTIVATE, BAD_RATE_WITH_THAT and FREEZE_IF_LOST are near
        # train, none equal to a train text lower-cased.
        ("test", len(BANKING_TEST), 0, 0, 0, 3, 1, 3),
        # train: CANT_FIND_PLAIN is CANT_FIND but for an apostrophe and punctuation;
        # ACTIVATE_LOWER equals ACTIVATE_UPPER lower-cased; it and ORDER_CARD are near CamRest
        # turns.
        ("train", len(BANKING_TRAIN), 0, 1, None, None, 1, 2),
    ]
    [(near_evaluation,)] = query(
        warehouse,
        "select n_near_evaluation from near_duplicate_metrics "
        "where dataset = 'camrest676' and split = 'train'",
    )
    assert near_evaluation == 3  # ACTIVATE_UPPER, HELLO_CHANGE_PIN, CURRENCIES


def test_clusters_have_a_representative_and_hold_their_pairs(warehouse):
    clusters = query(
        warehouse,
        "select representative_normal_form, n_normal_forms, n_records, datasets "
        "from near_duplicate_clusters order by representative_normal_form",
    )
    by_representative = {row[0]: row[1:] for row in clusters}
    # ACTIVATE's normal form: held by three records in three groups.
    assert by_representative[normal_form(ACTIVATE)] == (1, 3, ["banking77", "camrest676"])
    # CANT_FIND: one normal form, two train records.
    assert by_representative[normal_form(CANT_FIND)] == (1, 2, ["banking77"])
    # FREEZE and FREEZE_IF_LOST: two normal forms of one record each and of one length, so
    # the first in sort order represents them.
    assert by_representative[normal_form(FREEZE)] == (2, 2, ["banking77"])
    [(unpaired,)] = query(
        warehouse,
        "select count(*) from near_duplicate_pairs as pairs "
        "left join near_duplicate_cluster_members as members "
        "on pairs.cluster_id = members.cluster_id and pairs.record_id = members.record_id "
        "where members.record_id is null",
    )
    assert unpaired == 0
