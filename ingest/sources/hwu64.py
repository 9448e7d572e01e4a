"""HWU64 (xliuhw/NLU-Evaluation-Data, cross-validation fold KFold_1).

One file per label, `KFold_1/trainset/<scenario>_<intent>.csv` and
`KFold_1/testset/csv/<scenario>_<intent>.csv`: **semicolon**-delimited, LF line endings,
header `answerid;scenario;intent;answer_annotation;answer_from_anno;answer_from_user`, the
three text fields double-quoted; one example per row. Every field is kept as the string
upstream has (`answerid` is no key: some rows have `null`, and the same id recurs in files of
different labels).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import RawTable, decode_utf8, read_csv_records

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

COLUMNS = [
    "answerid",
    "scenario",
    "intent",
    "answer_annotation",
    "answer_from_anno",
    "answer_from_user",
]

EXAMPLE_SCHEMA = pa.schema([pa.field(name, pa.string()) for name in COLUMNS])


def parse_examples(content: bytes, location: str) -> list[dict[str, Any]]:
    """The rows of one trainset or testset/csv file."""
    return read_csv_records(decode_utf8(content, location), location, COLUMNS, delimiter=";")


TABLES = {"examples": RawTable(EXAMPLE_SCHEMA, parse_examples)}
