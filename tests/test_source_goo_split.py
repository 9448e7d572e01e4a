"""The Goo et al. 2018 layout (SNIPS and ATIS of MiuLab/SlotGated-SLU) on its fixtures.

The fixtures sit under the mirror folder `slotgated-slu` that both datasets share.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import raw_store
from ingest.registry import REGISTRY, Dataset
from ingest.runner import run_ingest
from ingest.sources import atis, goo_split, snips
from tests.source_support import assert_file_rejected
from tests.support import FIXTURE_UPSTREAM, require_mirror

FIXTURE = FIXTURE_UPSTREAM / "slotgated-slu" / "data"
FILES = ("seq.in", "seq.out", "label")


def lines_of(path: Path) -> list[str]:
    return [record["line"] for record in goo_split.parse_lines(path.read_bytes(), str(path))]


@pytest.mark.parametrize("module", [snips, atis])
def test_both_datasets_use_the_shared_one_column_tables(module):
    assert module.PARSER_VERSION == 2  # 2: raw tables gained `_extra`
    assert set(module.TABLES) == {"examples", "tokens", "slot_tags"}
    for raw_table in module.TABLES.values():
        assert raw_table.schema.names == ["line"]


@pytest.mark.parametrize(
    ("dataset", "counts"),
    [
        ("snips", {"train": 5, "valid": 3, "test": 4}),
        ("atis", {"train": 5, "valid": 3, "test": 4}),
    ],
)
def test_parallel_files_have_one_line_per_example(dataset, counts):
    for split, count in counts.items():
        files = {name: lines_of(FIXTURE / dataset / split / name) for name in FILES}
        assert {name: len(lines) for name, lines in files.items()} == dict.fromkeys(FILES, count)
        for tokens, tags in zip(files["seq.in"], files["seq.out"], strict=True):
            assert len(tokens.split()) == len(tags.split())


def test_snips_lines_are_kept_verbatim():
    tokens = lines_of(FIXTURE / "snips" / "train" / "seq.in")
    assert tokens[1] == "add step to me to the 50 clásicos playlist "
    assert tokens[2].startswith(" i would give this current book")
    test_tokens = lines_of(FIXTURE / "snips" / "test" / "seq.in")
    assert test_tokens[1] == "will it snow in mt on june 13  2038"
    assert test_tokens[2] in tokens  # a test text that train has too, as upstream
    tags = lines_of(FIXTURE / "snips" / "train" / "seq.out")
    assert tags[0] == "O O B-artist O B-album O B-service I-service "
    assert all(line.endswith(" ") for line in tags)
    assert lines_of(FIXTURE / "snips" / "train" / "label") == [
        "PlayMusic",
        "AddToPlaylist",
        "RateBook",
        "GetWeather",
        "SearchScreeningEvent",
    ]


def test_atis_multi_intent_label_stays_one_line():
    train_labels = lines_of(FIXTURE / "atis" / "train" / "label")
    test_labels = lines_of(FIXTURE / "atis" / "test" / "label")
    assert train_labels[2] == "atis_flight#atis_airfare"
    assert test_labels[1] == "atis_day_name" and "atis_day_name" not in train_labels
    assert all(label.startswith("atis_") for label in train_labels + test_labels)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a\nb\n", ["a", "b"]),
        ("a\nb", ["a", "b"]),
        ("a\n\nb\n", ["a", "", "b"]),
        ("a\n\n", ["a", ""]),
        ("\n", [""]),
        ("a \r\n b\r\n", ["a ", " b"]),
        ("x\x0by\u2028z\n", ["x\x0by\u2028z"]),
    ],
)
def test_only_the_line_terminator_is_removed(text, lines):
    assert goo_split.split_lines(text) == lines


def test_invalid_utf8_names_the_file(tmp_path):
    assert_file_rejected(
        goo_split.parse_lines,
        tmp_path / "label",
        b"PlayMusic\nGet\xffWeather\n",
        match=r"label: not valid UTF-8",
    )


def test_records_get_their_line_position():
    path = FIXTURE / "atis" / "valid" / "label"
    table = raw_store.records_to_table(
        goo_split.parse_lines(path.read_bytes(), str(path)),
        goo_split.LINE_SCHEMA,
        source_path="data/atis/valid/label",
        upstream_split="valid",
        locale="en",
        location=str(path),
    )
    assert table.column("line").to_pylist() == [
        "atis_flight",
        "atis_capacity",
        "atis_ground_service",
    ]
    assert table.column("_record_index").to_pylist() == [0, 1, 2]


def fixture_files_only(dataset_id: str) -> Dataset:
    """The registry dataset with unverified checksums (fixtures are hand-made)."""
    dataset = REGISTRY[dataset_id]
    files = tuple(dataclasses.replace(f, git_blob_sha1=None, size=None) for f in dataset.files)
    return dataclasses.replace(dataset, files=files)


def test_ingest_reads_both_datasets_from_the_shared_mirror_folder(tmp_path):
    reports = run_ingest(
        [fixture_files_only("snips"), fixture_files_only("atis")],
        tmp_path / "raw",
        tmp_path / "cache",
        FIXTURE_UPSTREAM,
        progress=lambda message: None,
    )
    assert [(report.dataset, report.records) for report in reports] == [
        ("snips", 36),
        ("atis", 36),
    ]
    labels = pq.read_table(tmp_path / "raw" / "atis" / "examples" / "data/atis/train/label.parquet")
    assert labels.column("line").to_pylist()[2] == "atis_flight#atis_airfare"


def test_real_snips_train_labels():
    path = require_mirror() / "slotgated-slu" / "data" / "snips" / "train" / "label"
    records = goo_split.parse_lines(path.read_bytes(), str(path))
    assert len(records) == 13_084
    assert len({record["line"] for record in records}) == 7
