"""CLINC150 parser on its fixtures in the upstream format (data_full.json, domains.json)."""

from __future__ import annotations

import json
from collections import Counter

from ingest.sources import clinc150
from tests.source_support import assert_file_rejected, raw_table
from tests.support import FIXTURE_UPSTREAM, require_mirror

FIXTURE_DATA = FIXTURE_UPSTREAM / "clinc150" / "data"
DATA_FULL = FIXTURE_DATA / "data_full.json"
DOMAINS = FIXTURE_DATA / "domains.json"


def test_examples_keep_their_section_in_file_order():
    records = clinc150.parse_examples(DATA_FULL.read_bytes(), str(DATA_FULL))
    assert Counter(r["section"] for r in records) == {
        "oos_val": 2,
        "val": 2,
        "train": 5,
        "oos_test": 2,
        "test": 3,
        "oos_train": 1,
    }
    assert records[0] == {"section": "oos_val", "text": "a show on broadway", "intent": "oos"}
    table = raw_table(records, clinc150.EXAMPLE_SCHEMA, "data/data_full.json")
    assert table.num_rows == 15
    rows = table.to_pylist()
    assert rows[4] == {
        "section": "train",
        "text": "what's my current bank balance",
        "intent": "balance",
        "_source_path": "data/data_full.json",
        "_upstream_split": None,
        "_locale": "en",
        "_record_index": 4,
        "_extra": None,
    }
    assert [r["text"] for r in rows if r["section"] == "test"][2] == "   "
    assert {r["intent"] for r in rows if r["section"].startswith("oos_")} == {"oos"}


def test_domains_become_one_record_each():
    records = clinc150.parse_domains(DOMAINS.read_bytes(), str(DOMAINS))
    table = raw_table(records, clinc150.DOMAIN_SCHEMA, "data/domains.json")
    assert table.select(["domain", "intents"]).to_pylist() == [
        {"domain": "banking", "intents": ["balance", "transfer"]},
        {"domain": "travel", "intents": ["book_flight", "exchange_rate"]},
    ]


def test_a_pair_of_three_items_is_refused(tmp_path):
    assert_file_rejected(
        clinc150.parse_examples,
        tmp_path / "data_full.json",
        json.dumps({"train": [["hi", "greeting"], ["hello", "greeting", "extra"]]}),
        match=r"data_full.json: train\[1\] is not a",
    )


def test_an_unknown_section_is_refused(tmp_path):
    assert_file_rejected(
        clinc150.parse_examples,
        tmp_path / "data_full.json",
        json.dumps({"train": [], "dev": [["hi", "greeting"]]}),
        match=r"data_full.json: unknown section\(s\) \['dev'\]",
    )


def test_domains_must_map_to_lists_of_names(tmp_path):
    assert_file_rejected(
        clinc150.parse_domains,
        tmp_path / "domains.json",
        json.dumps({"banking": "balance"}),
        match="domains.json: expected a JSON object",
    )


def test_real_data_full_has_the_published_counts():
    path = require_mirror() / "clinc150" / "data" / "data_full.json"
    records = clinc150.parse_examples(path.read_bytes(), str(path))
    assert Counter(r["section"] for r in records) == {
        "train": 15_000,
        "val": 3_000,
        "test": 4_500,
        "oos_train": 100,
        "oos_val": 100,
        "oos_test": 1_000,
    }
    assert len({r["intent"] for r in records}) == 151
