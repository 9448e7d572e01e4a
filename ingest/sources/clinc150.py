"""CLINC150 (clinc/oos-eval `data/`).

`data_full.json`: a JSON object whose keys are the six sections `train`, `val`, `test`,
`oos_train`, `oos_val`, `oos_test`, each a list of `[text, intent]` pairs (out-of-scope
examples, in the `oos_*` sections only, have intent `oos`). One record per pair, in file
order: `section` is the key of the top-level object the pair sits under (upstream has no
such field; it is not a renaming of one), `text` and `intent` are the pair's two items.
`domains.json`: a JSON object `{<domain>: [intent]}`; one record per domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ingest.sources import RawTable, UpstreamFormatError, decode_utf8, load_json

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

SECTIONS = ("train", "val", "test", "oos_train", "oos_val", "oos_test")

EXAMPLE_SCHEMA = pa.schema(
    [
        pa.field("section", pa.string()),
        pa.field("text", pa.string()),
        pa.field("intent", pa.string()),
    ]
)
DOMAIN_SCHEMA = pa.schema(
    [pa.field("domain", pa.string()), pa.field("intents", pa.list_(pa.string()))]
)


def _is_pair_of_strings(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def parse_examples(content: bytes, location: str) -> list[dict[str, Any]]:
    """The [text, intent] pairs of data_full.json, each with its section (top-level key)."""
    document = load_json(decode_utf8(content, location), location)
    if not isinstance(document, dict):
        raise UpstreamFormatError(
            f"{location}: expected a JSON object of sections at the top level"
        )
    unknown = [key for key in document if key not in SECTIONS]
    if unknown:
        raise UpstreamFormatError(
            f"{location}: unknown section(s) {unknown}, expected keys among {list(SECTIONS)}"
        )
    return list(_examples(document, location))


def _examples(document: dict[str, Any], location: str) -> Iterator[dict[str, Any]]:
    for section, pairs in document.items():
        if not isinstance(pairs, list):
            raise UpstreamFormatError(f"{location}: section {section!r} is not a JSON array")
        for position, pair in enumerate(pairs):
            if not _is_pair_of_strings(pair):
                raise UpstreamFormatError(
                    f"{location}: {section}[{position}] is not a [text, intent] pair of strings"
                )
            yield {"section": section, "text": pair[0], "intent": pair[1]}


def parse_domains(content: bytes, location: str) -> list[dict[str, Any]]:
    """The domains of domains.json, each with its list of intents, in file order."""
    document = load_json(decode_utf8(content, location), location)
    if not isinstance(document, dict) or not all(
        isinstance(intents, list) and all(isinstance(intent, str) for intent in intents)
        for intents in document.values()
    ):
        raise UpstreamFormatError(
            f"{location}: expected a JSON object mapping each domain to a list of intent names"
        )
    return [{"domain": domain, "intents": intents} for domain, intents in document.items()]


TABLES = {
    "examples": RawTable(EXAMPLE_SCHEMA, parse_examples),
    "domains": RawTable(DOMAIN_SCHEMA, parse_domains),
}
