"""CSV and TSV upstream files are read with no artificial field limit (Python's csv module
refuses fields over 131,072 characters unless told otherwise); a parse error names the file
and the row."""

from __future__ import annotations

import subprocess
import sys

from ingest.sources import banking77, msre2e
from tests.source_support import assert_file_rejected
from tests.support import REPO_ROOT

LONG_TEXT = "how do I top up " + "x" * 1_000_000


def test_a_one_megabyte_field_is_read_whole(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(f'text,category\r\n"{LONG_TEXT}",top_up_failed\r\n', encoding="utf-8")
    [record] = banking77.parse_examples(path.read_bytes(), str(path))
    assert record == {"text": LONG_TEXT, "category": "top_up_failed"}


def test_a_fresh_interpreter_reads_it_too():
    """The limit is lifted where the parsers are imported, not by an earlier test."""
    script = (
        "from ingest.sources import banking77\n"
        "text = 'text,category\\r\\n\"' + 'x' * 200_000 + '\",a\\r\\n'\n"
        "[r] = banking77.parse_examples(text.encode(), 'train.csv')\n"
        "print(len(r['text']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "200000"


def test_a_malformed_tsv_names_the_file(tmp_path):
    assert_file_rejected(
        msre2e.parse, tmp_path / "movie_all.tsv", b"session.ID\tMessage.ID\n\xff\xfe broken"
    )
