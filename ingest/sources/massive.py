"""MASSIVE 1.1 (alexa/massive; the tarball `amazon-massive-dataset-1.1.tar.gz`).

The tarball is expected to hold `1.1/LICENSE` and `1.1/data/<locale>.jsonl`, one file per
locale holding all partitions (train, dev, test). Any member whose parent folder is named
`data` and whose name ends in `.jsonl` is read, whatever the folders above it (`1.1/`,
`1.0/`, `amazon-massive-dataset-1.1/1.1/`), in archive order; other members (LICENSE,
folders) carry no records and are not read. An archive without such a member is an error.

Each line of a `.jsonl` member is one JSON object, kept exactly as upstream has it:
`id`, `locale`, `partition`, `scenario`, `intent`, `utt`, `annot_utt`, `worker_id`, and,
outside en-US, `slot_method` [{slot, method}] and `judgments` [{worker_id, intent_score,
slots_score, grammar_score, spelling_score, language_identification}]. Absent keys become
nulls (en-US has no `slot_method`/`judgments`, so they are null there, not empty lists).
The judgment scores are integers upstream (FORMATS.md; the Hugging Face loaders declare
them int8), so they are kept as integers: a score of another type is not coerced but kept
verbatim in `_extra` (schema drift, reported by the build), like any undeclared key. The
record's own `locale` is the locale (zh-CN and zh-TW are distinct); the registry lists the
archive as `mul`.

The archive holds about a million records, so parsing is a generator over the archive
streamed member by member and line by line, from the local file (never held in memory):
memory stays bounded by one line and one chunk of the raw store, however large the file.
Errors name the archive, and for a bad line the member and the 1-based line number.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any

import pyarrow as pa

from ingest.sources import RawTable, UpstreamFormatError, as_stream, decode_utf8, load_json

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

DATA_FOLDER = "data"
DATA_SUFFIX = ".jsonl"

SLOT_METHOD_TYPE = pa.struct([pa.field("slot", pa.string()), pa.field("method", pa.string())])
JUDGMENT_TYPE = pa.struct(
    [
        pa.field("worker_id", pa.string()),
        pa.field("intent_score", pa.int64()),
        pa.field("slots_score", pa.int64()),
        pa.field("grammar_score", pa.int64()),
        pa.field("spelling_score", pa.int64()),
        pa.field("language_identification", pa.string()),
    ]
)

EXAMPLE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("locale", pa.string()),
        pa.field("partition", pa.string()),
        pa.field("scenario", pa.string()),
        pa.field("intent", pa.string()),
        pa.field("utt", pa.string()),
        pa.field("annot_utt", pa.string()),
        pa.field("worker_id", pa.string()),
        pa.field("slot_method", pa.list_(SLOT_METHOD_TYPE)),
        pa.field("judgments", pa.list_(JUDGMENT_TYPE)),
    ]
)

# What a damaged gzip tarball raises while it is opened or read.
_ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def is_data_member(name: str) -> bool:
    """Whether an archive member name is `<any folders>/data/<locale>.jsonl`."""
    path = PurePosixPath(name)
    return path.suffix == DATA_SUFFIX and path.parent.name == DATA_FOLDER


def _records_of_member(lines: IO[bytes], where: str) -> Iterator[dict[str, Any]]:
    """The JSON object on each line of one member; errors name the member and line."""
    for line_number, line in enumerate(lines, start=1):
        location = f"{where} line {line_number}"
        record = load_json(decode_utf8(line, location), location)
        if not isinstance(record, dict):
            raise UpstreamFormatError(f"{location}: expected a JSON object")
        yield record


def _check_gzip_trailer(compressed: gzip.GzipFile, location: str) -> None:
    """Read what follows the tar end marker, so gzip checks its length and CRC trailer."""
    try:
        while compressed.read(1 << 16):
            pass
    except _ARCHIVE_ERRORS as error:
        raise UpstreamFormatError(f"{location}: truncated or corrupt gzip ({error})") from error


def _open_stream(compressed: gzip.GzipFile, location: str) -> tarfile.TarFile:
    """The tarball as a stream: members in archive order, never seeking back."""
    try:
        return tarfile.open(fileobj=compressed, mode="r|")
    except _ARCHIVE_ERRORS as error:
        raise UpstreamFormatError(f"{location}: not a readable gzip tarball ({error})") from error


def _next_member(members: Iterator[tarfile.TarInfo], location: str) -> tarfile.TarInfo | None:
    try:
        return next(members, None)
    except _ARCHIVE_ERRORS as error:
        raise UpstreamFormatError(f"{location}: truncated or corrupt tarball ({error})") from error


def parse_examples(content: bytes | IO[bytes], location: str) -> Iterator[dict[str, Any]]:
    """The records of every `data/<locale>.jsonl` member of the tarball (its bytes or the
    open file), as a generator."""
    found = 0
    with (
        gzip.GzipFile(fileobj=as_stream(content), mode="rb") as compressed,
        _open_stream(compressed, location) as archive,
    ):
        members = iter(archive)
        while (member := _next_member(members, location)) is not None:
            if not (member.isfile() and is_data_member(member.name)):
                continue
            found += 1
            where = f"{location}: member {member.name}"
            try:
                stream = archive.extractfile(member)
                if stream is None:
                    raise UpstreamFormatError(f"{where}: has no content")
                yield from _records_of_member(stream, where)
            except _ARCHIVE_ERRORS as error:
                raise UpstreamFormatError(
                    f"{where}: truncated or corrupt tarball ({error})"
                ) from error
        _check_gzip_trailer(compressed, location)
    if not found:
        raise UpstreamFormatError(f"{location}: no */{DATA_FOLDER}/*{DATA_SUFFIX} member")


TABLES = {"examples": RawTable(EXAMPLE_SCHEMA, parse_examples, required=("id",), reads_file=True)}
