"""BANKING77 (PolyAI-LDN/task-specific-datasets `banking_data/`).

`train.csv` and `test.csv`: header `text,category`, comma-delimited, CRLF, quoted where
needed; one example per row. `categories.json`: a JSON array of the 77 label names, whose
order is the label order upstream defines.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ingest.sources import RawTable, UpstreamFormatError, decode_utf8, load_json, read_csv_records

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

EXAMPLE_SCHEMA = pa.schema([pa.field("text", pa.string()), pa.field("category", pa.string())])
LABEL_SCHEMA = pa.schema([pa.field("label", pa.string())])


def parse_examples(content: bytes, location: str) -> list[dict[str, Any]]:
    """The rows of train.csv or test.csv."""
    return read_csv_records(decode_utf8(content, location), location, ["text", "category"])


def parse_labels(content: bytes, location: str) -> list[dict[str, Any]]:
    """The label names of categories.json, in upstream order."""
    labels = load_json(decode_utf8(content, location), location)
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise UpstreamFormatError(f"{location}: expected a JSON array of label names")
    return [{"label": label} for label in labels]


TABLES = {
    "examples": RawTable(EXAMPLE_SCHEMA, parse_examples),
    "labels": RawTable(LABEL_SCHEMA, parse_labels),
}
