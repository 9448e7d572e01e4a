"""Files that are pieces of one upstream file: concatenated, then cut again at record starts.

Upstream sometimes cuts one large file into pieces at arbitrary bytes and says to put them
together again (Taskmaster-3's split TSVs: `cat train-*.tsv > train.tsv`), so a record may
straddle two pieces, even in the middle of a UTF-8 character. `recut` concatenates the
pieces of one group in order and cuts the whole again at the starts of its records, giving
each piece exactly the records that start in it (a straddling record whole, in the piece
where it starts). Each piece is then parsed and written as a file of its own, so the raw
store, the manifest and the unchanged-file logic stay per registered file.

A missing piece (`--allow-partial`) splits its group into runs of pieces present one after
the other. Next to the gap, a record is cut: the bytes up to the first line break of a
run that follows a missing piece, and those after the last line break of a run that
precedes one, are the two ends of records whose other part is missing. They are not read,
but counted as schema drift of the piece they are in (`partial record`, at its `start` or
`end`), so the build reports them; the dataset is flagged incomplete anyway.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ingest.raw_store import PARTIAL_RECORD, SchemaDrift

RecordStarts = Callable[[bytes, str], Iterable[int]]


@dataclass
class Piece:
    """What one piece of a group holds after the cut."""

    content: bytes | None  # the records that start in it (None: the piece is missing)
    drift: SchemaDrift = field(default_factory=SchemaDrift)


def recut(
    pieces: Sequence[bytes | None], record_starts: RecordStarts, location: str
) -> list[Piece]:
    """The pieces of one group (in order, None where missing), cut again at record starts."""
    result = [Piece(None) for _ in pieces]
    position = 0
    while position < len(pieces):
        if pieces[position] is None:
            position += 1
            continue
        end = position
        while end < len(pieces) and pieces[end] is not None:
            end += 1
        _recut_run(
            pieces,
            range(position, end),
            after_gap=position > 0,
            before_gap=end < len(pieces),
            record_starts=record_starts,
            location=location,
            result=result,
        )
        position = end
    return result


def _recut_run(
    pieces: Sequence[bytes | None],
    run: range,
    *,
    after_gap: bool,
    before_gap: bool,
    record_starts: RecordStarts,
    location: str,
    result: list[Piece],
) -> None:
    """Cut one run of present pieces, writing into result."""
    parts = [pieces[index] or b"" for index in run]
    whole = b"".join(parts)
    offsets = [0]  # where each piece starts in the whole
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    head = 0
    if after_gap and whole:
        head = whole.find(b"\n") + 1 or len(whole)  # the end of a record begun in the gap
        _note(result, run, offsets, 0, "start")
    tail = len(whole)
    if before_gap and whole[head:] and not whole.endswith(b"\n"):
        tail = max(whole.rfind(b"\n", head) + 1, head)  # a record going on in the gap
        _note(result, run, offsets, tail, "end")
    body = whole[head:tail]
    starts = [head + start for start in record_starts(body, location)] if body else []
    cuts = [head]
    for offset in offsets[1:]:
        # The first record starting at or after the piece's first byte, or the run's end.
        index = bisect.bisect_left(starts, offset)
        cuts.append(starts[index] if index < len(starts) else tail)
    cuts = [max(cut, head) for cut in cuts] + [tail]
    for position, index in enumerate(run):
        result[index].content = whole[cuts[position] : cuts[position + 1]]


def _note(result: list[Piece], run: range, offsets: list[int], at: int, where: str) -> None:
    """Count a partial record in the piece holding byte `at` of the run."""
    piece = bisect.bisect_right(offsets, at) - 1
    result[run[piece]].drift[(where, PARTIAL_RECORD)] += 1
