"""MInDS-14 (PolyAI; the zip `MInDS-14.zip` that the XTREME-S and ESPnet loaders download).

The zip unpacks to `MInDS-14/` with `audio.zip`, `text.zip`, `aux-en.csv` and `license.md`.
Only `text.zip` is read (the one member named `text.zip`, in whatever folder): it holds one
`<locale>.csv` per locale at its root (14: cs-CZ, de-DE, en-AU, en-GB, en-US, es-ES, fr-FR,
it-IT, ko-KR, nl-NL, pl-PL, pt-PT, ru-RU, zh-CN), each read in archive order, the locale
taken from the member's file name. The audio, the licence and `aux-en.csv` carry no locale
examples and are not read; `aux-en.csv` is not one of the 14 locales (an early XTREME-S
draft lists it as an extra English table), and it is not read inside `text.zip` either.
Any other member, of the zip or of `text.zip` (a `README`, a `__MACOSX/` copy, a CSV in a
sub-folder), is not read either, but counted as schema drift (`unread member`, named by its
path: `text.zip/notes/readme.txt`), which the manifest records and the build reports, so
nothing is skipped unnoticed and nothing unknown stops the ingest.

The zip (~471 MB, nearly all audio) is read from the local file, never held in memory: only
its directory and the small `text.zip` are read.

Each CSV has a header row and four columns in this order: audio path (`<locale>~<INTENT>/
response_<n>.wav`), transcription, English translation, intent. Upstream's header names
are not verified (ESPnet reads `filepath`, `text_asr`, `intent`; the translation's header
is unknown), so the columns are read by position, with `skipinitialspace` as XTREME-S
reads them, and named here: `path`, `transcription`, `english_transcription`, `intent`.
The header row is checked only for having at least four columns; a column beyond the
fourth (in the header or in a row) is not dropped: it goes to the record under its header
name (`column_<n>` where it has none, or a name of ours), so the raw table keeps it in
`_extra` as schema drift. A row with fewer than four fields cannot be read and stops the
dataset. Values are kept as upstream writes them (XTREME-S lower-cases the intent, so
upstream may write it in upper case). Errors name the zip, the member and, for a bad row,
its row number (the header is row 1). A zip without exactly one `text.zip`, or with no
`<locale>.csv` in it, cannot be read and stops the dataset.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import IO, Any

import pyarrow as pa

from ingest.raw_store import UNREAD_MEMBER, SchemaDrift
from ingest.sources import RawTable, UpstreamFormatError, as_stream, decode_utf8

PARSER_VERSION = 2  # +1: raw tables gained `_extra` (schema drift kept)

TEXT_ZIP_NAME = "text.zip"
NOT_READ = frozenset({"aux-en.csv"})  # in text.zip, if there: not one of the 14 locales
# Members of the outer zip known to hold no locale examples (by file name): not read.
KNOWN_OUTER = frozenset({"audio.zip", "aux-en.csv", "license.md"})
LOCALE_CSV = re.compile(r"(?P<locale>[a-z]{2}-[A-Z]{2})\.csv")
COLUMNS = ("path", "transcription", "english_transcription", "intent")  # ours, by position

EXAMPLE_SCHEMA = pa.schema(
    [
        pa.field("locale", pa.string()),
        pa.field("path", pa.string()),
        pa.field("transcription", pa.string()),
        pa.field("english_transcription", pa.string()),
        pa.field("intent", pa.string()),
    ]
)

# What a damaged zip raises while it is opened or a member is read.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _open_zip(content: bytes | IO[bytes], location: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(as_stream(content))
    except _ZIP_ERRORS as error:
        raise UpstreamFormatError(f"{location}: not a readable zip file ({error})") from error


def _read_member(archive: zipfile.ZipFile, name: str, location: str) -> bytes:
    try:
        return archive.read(name)
    except _ZIP_ERRORS as error:
        raise UpstreamFormatError(f"{location}: corrupt zip member ({error})") from error


def _extra_column_names(header: list[str]) -> list[str]:
    """Keys for the columns beyond the fourth: the header's name, else `column_<n>` (1-based,
    also where the name is one of ours or repeats)."""
    names: list[str] = []
    taken = {"locale", *COLUMNS}
    for position, name in enumerate(header[len(COLUMNS) :], start=len(COLUMNS) + 1):
        key = name.strip() if name.strip() and name.strip() not in taken else f"column_{position}"
        taken.add(key)
        names.append(key)
    return names


def read_locale_csv(text: str, locale: str, location: str) -> list[dict[str, Any]]:
    """The rows of one `<locale>.csv`, read by position after a header row of four (or more)
    columns; fields beyond the fourth are kept under their header names."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = next(reader, None)
    if header is None or len(header) < len(COLUMNS):
        raise UpstreamFormatError(f"{location}: header {header}, expected {len(COLUMNS)} columns")
    extra_names = _extra_column_names(header)
    records = []
    for row_number, row in enumerate(reader, start=2):
        if len(row) < len(COLUMNS):
            raise UpstreamFormatError(
                f"{location}: row {row_number} has {len(row)} fields, expected {len(COLUMNS)}"
            )
        record = {"locale": locale, **dict(zip(COLUMNS, row, strict=False))}
        for position, value in enumerate(row[len(COLUMNS) :], start=len(COLUMNS) + 1):
            index = position - len(COLUMNS) - 1
            record[extra_names[index] if index < len(extra_names) else f"column_{position}"] = value
        records.append(record)
    return records


def parse_examples(
    content: bytes | IO[bytes], location: str, drift: SchemaDrift | None = None
) -> list[dict[str, Any]]:
    """The rows of every `<locale>.csv` in the zip's `text.zip`, with their locale; members
    of no known kind are counted in drift (when given) and not read."""
    unread = drift if drift is not None else SchemaDrift()
    outer = _open_zip(content, location)
    text_zips = [name for name in outer.namelist() if PurePosixPath(name).name == TEXT_ZIP_NAME]
    if len(text_zips) != 1:
        raise UpstreamFormatError(
            f"{location}: expected one member named {TEXT_ZIP_NAME}, found {text_zips}"
        )
    for info in outer.infolist():
        name = PurePosixPath(info.filename).name
        if not info.is_dir() and name != TEXT_ZIP_NAME and name not in KNOWN_OUTER:
            unread[(info.filename, UNREAD_MEMBER)] += 1
    text_zip_location = f"{location}: member {text_zips[0]}"
    inner = _open_zip(_read_member(outer, text_zips[0], text_zip_location), text_zip_location)
    records: list[dict[str, Any]] = []
    found = 0
    for info in inner.infolist():
        member_location = f"{text_zip_location}: member {info.filename}"
        if info.is_dir() or info.filename in NOT_READ:
            continue
        match = LOCALE_CSV.fullmatch(info.filename)
        if match is None:
            unread[(f"{TEXT_ZIP_NAME}/{info.filename}", UNREAD_MEMBER)] += 1
            continue
        found += 1
        text = decode_utf8(_read_member(inner, info.filename, member_location), member_location)
        records.extend(read_locale_csv(text, match["locale"], member_location))
    if not found:
        raise UpstreamFormatError(f"{text_zip_location}: no <locale>.csv member")
    return records


TABLES = {
    "examples": RawTable(
        EXAMPLE_SCHEMA, parse_examples, required=("path",), reads_file=True, notes_drift=True
    )
}
