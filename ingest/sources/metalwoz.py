"""MetaLWOZ (Microsoft downloads `metalwoz-v1.zip` and the held-out `metalwoz-test-v1.zip`).

Each zip holds `tasks.txt` and `dialogues/<DOMAIN>.txt`; the held-out test zip instead holds
a NESTED `dstc8_metalwoz_heldout.zip` with that same layout (as the Hugging Face loader and
ConvLab-3 open it). Every member whose parent folder is named `dialogues` and whose name ends
in `.txt` is read, in the zip and in any zip nested in it (at any depth), in archive order;
the outer zip is read from the local file (never held in memory), a nested zip in memory
(the held-out one is a few MiB). The records of a nested
zip come where the nested zip stands in the outer archive. A zip without any such member is
an error.

Each line of a dialogue member is one JSON object, kept exactly as upstream has it:
`id`, `user_id`, `bot_id`, `domain`, `task_id` and `turns`, a bare list of strings that
alternate bot, user, bot, ... (the bot opens, usually with a stock greeting). Nothing is
added: the speaker of a turn is its position, which staging reads. Lines holding only white
space carry no record and are skipped (line numbers still count them).

`tasks.txt` ({task_id, domain, bot_role, bot_prompt, user_role, user_prompt}) describes the
226 tasks, not dialogues; the registry lists only a `dialogues` table, so it is not read.
Other members (licence files, folders) are not read either.

Parsing is a generator, member by member and line by line. Errors name the archive, the
member (`outer.zip: member inner.zip: member dialogues/X.txt`) and the 1-based line.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any

import pyarrow as pa

from ingest.sources import RawTable, UpstreamFormatError, as_stream, decode_utf8, load_json

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

DIALOGUES_FOLDER = "dialogues"
DIALOGUES_SUFFIX = ".txt"
NESTED_SUFFIX = ".zip"

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("bot_id", pa.string()),
        pa.field("domain", pa.string()),
        pa.field("task_id", pa.string()),
        pa.field("turns", pa.list_(pa.string())),
    ]
)

# What a damaged zip raises while it is opened or a member is read (a CRC mismatch is a
# BadZipFile raised at the end of the member).
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def is_dialogue_member(name: str) -> bool:
    """Whether a zip member name is `<any folders>/dialogues/<DOMAIN>.txt`."""
    path = PurePosixPath(name)
    return path.suffix == DIALOGUES_SUFFIX and path.parent.name == DIALOGUES_FOLDER


def is_nested_zip(name: str) -> bool:
    """Whether a zip member is itself a zip archive (by its name)."""
    return PurePosixPath(name).suffix.lower() == NESTED_SUFFIX


def _records_of_member(lines: IO[bytes], where: str) -> Iterator[dict[str, Any]]:
    """The JSON object on each non-blank line of one member; errors name member and line."""
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        location = f"{where} line {line_number}"
        record = load_json(decode_utf8(line, location), location)
        if not isinstance(record, dict):
            raise UpstreamFormatError(f"{location}: expected a JSON object")
        yield record


def _open_zip(content: bytes | IO[bytes], location: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(as_stream(content))
    except _ARCHIVE_ERRORS as error:
        raise UpstreamFormatError(f"{location}: not a readable zip archive ({error})") from error


def _dialogues_of_zip(
    content: bytes | IO[bytes], location: str, members_read: list[str]
) -> Iterator[dict[str, Any]]:
    """Every dialogue line of the zip and its nested zips; members read go to members_read."""
    with _open_zip(content, location) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            where = f"{location}: member {member.filename}"
            try:
                if is_nested_zip(member.filename):
                    yield from _dialogues_of_zip(archive.read(member), where, members_read)
                elif is_dialogue_member(member.filename):
                    members_read.append(where)
                    with archive.open(member) as lines:
                        yield from _records_of_member(lines, where)
            except _ARCHIVE_ERRORS as error:
                raise UpstreamFormatError(f"{where}: truncated or corrupt zip ({error})") from error


def parse(content: bytes | IO[bytes], location: str) -> Iterator[dict[str, Any]]:
    """The dialogues of every `dialogues/*.txt` member of a MetaLWOZ zip, as a generator."""
    members_read: list[str] = []
    yield from _dialogues_of_zip(content, location, members_read)
    if not members_read:
        raise UpstreamFormatError(
            f"{location}: no */{DIALOGUES_FOLDER}/*{DIALOGUES_SUFFIX} member, "
            "in the zip or in a nested zip"
        )


TABLES = {"dialogues": RawTable(SCHEMA, parse, required=("id",), reads_file=True)}
