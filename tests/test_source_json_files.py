"""JSON upstream files: a file that is not UTF-8, not valid JSON or not the JSON array its
format has is refused, naming the file (what each source's format refuses beyond that is
tested beside the source)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sources import camrest676, clinc150, frames, kvret, multiwoz22, sgd, woz2
from tests.source_support import assert_file_rejected

# id: (parse, file name, content, what the error matches; None: the file's name)
BAD_FILES = {
    "camrest676-corrupt-json": (
        camrest676.parse,
        "CamRest676.json",
        '# banner\n[{"dial": [',
        "CamRest676.json: not valid JSON",
    ),
    "clinc150-corrupt-json": (
        clinc150.parse_examples,
        "data_full.json",
        '{"train": [["hi", "greeting"]',
        "data_full.json: not valid JSON",
    ),
    "frames-corrupt-json": (
        frames.parse,
        "frames.json",
        '[{"id": "x", "turns": [',
        r"frames\.json: not valid JSON",
    ),
    "frames-top-level-object": (
        frames.parse,
        "frames.json",
        '{"dialogues": []}',
        r"frames\.json: expected a JSON array",
    ),
    "frames-invalid-utf8": (
        frames.parse,
        "frames.json",
        b'[{"id": "\xff"}]',
        r"frames\.json: not valid UTF-8",
    ),
    "kvret-corrupt-json": (
        kvret.parse,
        "kvret_dev_public.json",
        '[{"dialogue": [], "scenario": {"uuid": "x"',
        None,
    ),
    "kvret-invalid-utf8": (
        kvret.parse,
        "kvret_test_public.json",
        b'[{"dialogue": [], "scenario": {"uuid": "\xff"}}]',
        None,
    ),
    "multiwoz22-corrupt-json": (
        multiwoz22.parse,
        "dialogues_001.json",
        '[{"dialogue_id": "PMUL0117.json", "turns": [{',
        None,
    ),
    "multiwoz22-invalid-utf8": (
        multiwoz22.parse,
        "dialogues_002.json",
        b'[{"dialogue_id": "MUL0001.json", "services": ["caf\xe9"]}]',
        None,
    ),
    "sgd-corrupt-json": (
        sgd.parse,
        "dialogues_001.json",
        '[{"dialogue_id": "1_00000", "turns": [',
        None,
    ),
    "sgd-top-level-object": (sgd.parse, "dialogues_002.json", '{"dialogue_id": "2_00000"}', None),
    "woz2-corrupt-json": (
        woz2.parse,
        "woz_train_en.json",
        '[{"dialogue_idx": 0, "dialogue": [',
        None,
    ),
    "woz2-top-level-object": (woz2.parse, "woz_test_de.json", '{"dialogue_idx": 800}', None),
}


@pytest.mark.parametrize(("parse", "name", "content", "match"), BAD_FILES.values(), ids=BAD_FILES)
def test_a_bad_json_file_is_refused_naming_it(
    tmp_path: Path, parse, name: str, content: str | bytes, match: str | None
):
    assert_file_rejected(parse, tmp_path / name, content, match=match)
