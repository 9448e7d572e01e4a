"""ingest.chunks and the runner on files that are pieces of one file (Taskmaster-3's splits)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import chunks, raw_store
from ingest.registry import REGISTRY
from ingest.runner import IngestError, run_ingest
from ingest.sources import taskmaster3
from ingest.sources.taskmaster_format import split_row_starts
from tests.support import FIXTURE_UPSTREAM

ROWS = [
    b"<U>one<C>\t[A]first\tdlg-1\n",
    b'<U>two<C>\t"[A]a ""quoted""\ntarget, caf\xc3\xa9"\tdlg-2\n',  # a line break in quotes
    b"<U>three<C>\t[A]third\tdlg-3\n",
]
WHOLE = b"".join(ROWS)


def pieces_of(whole: bytes, *cuts: int) -> list[bytes]:
    bounds = [0, *cuts, len(whole)]
    return [whole[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]


def contents(pieces: list[chunks.Piece]) -> list[bytes | None]:
    return [piece.content for piece in pieces]


def test_row_starts_follow_csv_quoting_and_utf8_bytes():
    assert split_row_starts(WHOLE, "x") == [0, len(ROWS[0]), len(ROWS[0]) + len(ROWS[1])]
    bom = b"\xef\xbb\xbf"
    # A leading BOM is no part of the first row.
    assert split_row_starts(bom + WHOLE, "x") == [3, 3 + len(ROWS[0]), 3 + len(ROWS[0] + ROWS[1])]


@pytest.mark.parametrize(
    "cut",
    [
        len(ROWS[0]),  # on a row boundary
        len(ROWS[0]) + 5,  # inside a row
        len(ROWS[0]) + ROWS[1].index(b"\n") + 1,  # just after the line break inside quotes
        len(ROWS[0]) + ROWS[1].index(b"\xa9"),  # between the two bytes of "é"
    ],
)
def test_each_piece_gets_the_rows_that_start_in_it(cut):
    pieces = chunks.recut(pieces_of(WHOLE, cut), split_row_starts, "x")
    # The second row starts in the first piece unless the cut is exactly at its start.
    first = ROWS[0] if cut == len(ROWS[0]) else ROWS[0] + ROWS[1]
    assert contents(pieces) == [first, WHOLE[len(first) :]]
    assert all(not piece.drift for piece in pieces)
    # Each piece now parses on its own, and together they give the whole file's rows.
    parse = taskmaster3.TABLES["split_rows"].parse
    rows = [row for piece in pieces for row in parse(piece.content, "x")]
    assert rows == parse(WHOLE, "x")


def test_a_piece_holding_no_row_start_is_empty():
    cut = len(ROWS[0]) + 2
    pieces = chunks.recut(pieces_of(WHOLE, cut, cut + 3), split_row_starts, "x")
    assert contents(pieces) == [ROWS[0] + ROWS[1], b"", ROWS[2]]


def test_a_missing_piece_leaves_its_neighbours_cut_records_as_drift():
    cuts = (len(ROWS[0]) + 5, len(ROWS[0]) + 20)
    present = pieces_of(WHOLE, *cuts)
    present[1] = None  # the middle piece is missing

    pieces = chunks.recut(present, split_row_starts, "x")

    # Before the gap: the first row whole, the start of the second dropped; after it: the
    # end of the second row (up to its first line break: the one inside its quotes, here)
    # dropped. What follows is not a row start, so the parser will say so.
    assert pieces[0].content == ROWS[0]
    assert pieces[1].content is None
    assert pieces[0].drift == {("end", raw_store.PARTIAL_RECORD): 1}
    assert pieces[2].drift == {("start", raw_store.PARTIAL_RECORD): 1}
    tail = WHOLE[cuts[1] :]
    assert pieces[2].content == tail[tail.index(b"\n") + 1 :]


def test_a_gap_at_a_row_boundary_cuts_nothing_before_it():
    present = [ROWS[0], None, ROWS[2]]
    pieces = chunks.recut(present, split_row_starts, "x")
    assert pieces[0].content == ROWS[0] and not pieces[0].drift
    # After a gap the first line is always taken for the end of a record begun there.
    assert pieces[2].content == b"" and pieces[2].drift == {("start", "partial record"): 1}


# --- through the runner ----------------------------------------------------------------------


def tm3_dataset(paths: list[str]):
    """taskmaster3 restricted to the given files, no checksums known."""
    files = tuple(
        dataclasses.replace(file, git_blob_sha1=None, size=None)
        for file in REGISTRY["taskmaster3"].files
        if file.path in paths
    )
    return dataclasses.replace(REGISTRY["taskmaster3"], files=files)


TRAIN = ["TM-3-2020/splits/train/train-aa.tsv", "TM-3-2020/splits/train/train-ab.tsv"]
DATA = "TM-3-2020/data/data_00.json"


def split_rows(raw: Path, path: str) -> list[dict]:
    return pq.read_table(raw / "taskmaster3" / "split_rows" / f"{path}.parquet").to_pylist()


def manifest(raw: Path) -> dict[str, dict]:
    return raw_store.read_manifest(raw / "taskmaster3")


def test_runner_ingests_the_pieces_of_a_split_as_one_file(tmp_path):
    raw, messages = tmp_path / "raw", []
    dataset = tm3_dataset([DATA, *TRAIN])

    [report] = run_ingest(
        [dataset], raw, tmp_path / "cache", FIXTURE_UPSTREAM, progress=messages.append
    )

    assert report.complete and report.files_ingested == 3
    first, second = (split_rows(raw, path) for path in TRAIN)
    assert [len(first), len(second)] == [3, 1]
    assert first[2]["target"].endswith("Boulevard 14 Café[PAN]num.tickets[PAV]two")
    assert [row["_record_index"] for row in first + second] == [0, 1, 2, 0]
    rows = manifest(raw)
    assert [rows[path]["records"] for path in TRAIN] == [3, 1]
    assert [rows[path]["bytes"] for path in TRAIN] == [
        (FIXTURE_UPSTREAM / "taskmaster" / path).stat().st_size for path in TRAIN
    ]
    assert any("rows that start in this piece" in message for message in messages)

    # Unchanged: the whole group is kept without reading a piece.
    [again] = run_ingest([dataset], raw, tmp_path / "cache", FIXTURE_UPSTREAM, progress=print)
    assert (again.files_ingested, again.files_unchanged) == (0, 3)


def test_a_changed_piece_cuts_its_whole_group_again(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURE_UPSTREAM / "taskmaster", mirror / "taskmaster")
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    dataset = tm3_dataset([DATA, *TRAIN])
    run_ingest([dataset], raw, cache, mirror, progress=lambda _: None)
    # The second piece now starts a row of its own: the straddling row ends in the first.
    aa, ab = (mirror / "taskmaster" / path for path in TRAIN)
    whole = aa.read_bytes() + ab.read_bytes()
    boundary = whole.index(b"<U>Make it")
    aa.write_bytes(whole[:boundary])
    ab.write_bytes(whole[boundary:])

    [report] = run_ingest(
        [dataset], raw, cache, mirror, progress=lambda _: None, accept_upstream_changes=True
    )

    assert report.files_ingested == 2  # both pieces of the group, the dialogues file kept
    assert [len(split_rows(raw, path)) for path in TRAIN] == [3, 1]


def test_a_missing_piece_is_reported_and_the_rest_ingested(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURE_UPSTREAM / "taskmaster", mirror / "taskmaster")
    (mirror / "taskmaster" / TRAIN[0]).unlink()
    raw, messages = tmp_path / "raw", []

    [report] = run_ingest(
        [tm3_dataset([DATA, *TRAIN])],
        raw,
        tmp_path / "cache",
        mirror,
        allow_partial=True,
        progress=messages.append,
    )

    assert report.files_missing == 1
    rows = manifest(raw)
    assert rows[TRAIN[0]]["status"] == "missing"
    # train-ab's start is the end of a row begun in train-aa: counted, not read.
    assert rows[TRAIN[1]]["schema_drift"] == [
        {"key": "start", "kind": "partial record", "records": 1}
    ]
    assert [row["conversation_id"] for row in split_rows(raw, TRAIN[1])] == [
        "dlg-a1c3e5f7-2b4d-4e6f-8a0c-1e3f5a7b9c2d"
    ]
    assert any("partial record at the start" in message for message in messages)


def test_a_piece_that_is_not_text_names_the_group(tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(FIXTURE_UPSTREAM / "taskmaster", mirror / "taskmaster")
    (mirror / "taskmaster" / TRAIN[1]).write_bytes(b"\xff\xfe not utf-8\n")

    with pytest.raises(IngestError, match=r"TM-3-2020/splits/train \(its 2 pieces"):
        run_ingest(
            [tm3_dataset([DATA, *TRAIN])],
            tmp_path / "raw",
            tmp_path / "cache",
            mirror,
            progress=lambda _: None,
        )
