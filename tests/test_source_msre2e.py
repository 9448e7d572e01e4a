"""MSR-E2E parser on its hand-made TSV fixtures (movie with a BOM, restaurant, taxi)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest import raw_store
from ingest.sources import UpstreamFormatError, decode_utf8, msre2e
from tests.source_support import first_record_parsed_lazily, ingest_fixture, raw_table
from tests.support import FIXTURE_UPSTREAM

FIXTURE_DATA = FIXTURE_UPSTREAM / "msre2e" / "data"
HEADER = "session.ID\tMessage.ID\tMessage.Timestamp\tMessage.From\tMessage.Text\tDialog-Acts\n"


def parse_fixture(domain: str) -> list[dict]:
    path = FIXTURE_DATA / f"{domain}_all.tsv"
    return list(msre2e.parse(path.read_bytes(), str(path)))


def parse_text(text: str, location: str = "x_all.tsv") -> list[dict]:
    return list(msre2e.parse(text.encode("utf-8"), location))


def test_parser_is_a_lazy_generator():
    first = first_record_parsed_lazily(msre2e.parse, FIXTURE_DATA / "taxi_all.tsv")
    assert first["message_id"] == 1


def test_movie_bom_is_dropped_and_its_15_column_header_accepted():
    content = (FIXTURE_DATA / "movie_all.tsv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbfsession.ID\t")
    header = next(csv.reader(io.StringIO(decode_utf8(content, "movie")), delimiter="\t"))
    assert len(header) == 15
    assert header[0] == "session.ID"
    assert msre2e.act_columns(header, "movie") == ["Dialog-Acts"] + [""] * 9
    records = parse_fixture("movie")
    assert len(records) == 10
    assert records[0] == {
        "session_id": 1,
        "message_id": 1,
        "timestamp": "Tue Jun 21 2016 12:06:18 GMT-0700 (PDT)",
        "sender": "user",
        "text": "I want to buy 2 tickets for Zoolander 2 tomorrow",
        "acts": ["request(ticket;moviename=Zoolander 2;numberofpeople=2;date=tomorrow)"],
    }


def test_acts_are_the_non_empty_act_columns_in_order():
    movie = parse_fixture("movie")
    assert movie[4]["acts"] == [
        "inform(theater=regal meridian 16;starttime=7:15pm)",
        "request(confirm)",
    ]
    assert movie[9]["acts"] == ["thanks()", "closing()"]
    taxi = parse_fixture("taxi")
    # taxi's header has one act column; its rows carry up to four.
    assert taxi[3]["acts"] == [
        "inform(taxi_company=uber;car_type=uberx)",
        "inform(pickup_time=5 pm)",
        "confirm_answer()",
        "closing()",
    ]
    assert [len(record["acts"]) for record in taxi] == [1, 2, 1, 4, 1, 1]


def test_quoted_taxi_text_with_commas_and_doubled_quotes():
    taxi = parse_fixture("taxi")
    assert taxi[0]["text"] == "I need a cab from the airport to 1st Ave, Seattle, at 5 pm"
    assert taxi[1]["text"] == "yes, an uberX, please"
    assert taxi[4]["text"] == 'Get me a taxi to "The Blue Door", the bar on Pike'
    assert taxi[5]["text"] == "Where should it pick you up?"


def test_every_row_kept_in_file_order_sessions_restart_per_file():
    taxi = parse_fixture("taxi")
    assert [(r["session_id"], r["message_id"]) for r in taxi] == [
        (1, 1),
        (1, 3),
        (1, 2),
        (1, 4),
        (2, 1),
        (2, 2),
    ]
    for domain in ("movie", "restaurant", "taxi"):
        assert parse_fixture(domain)[0]["session_id"] == 1
    movie = parse_fixture("movie")
    assert Counter((r["session_id"], r["message_id"]) for r in movie)[(2, 2)] == 2
    assert [r["sender"] for r in movie[:4]] == ["user", "agent", "user", "user"]
    assert parse_fixture("restaurant")[4]["sender"] == "agent"


def test_unknown_sender_is_kept_verbatim():
    [record] = parse_text(HEADER + "3\t1\tt\tusre\thi there\tgreeting()\n")
    assert record["sender"] == "usre"


def test_short_rows_empty_lines_and_multi_line_text():
    text = HEADER + '1\t1\tt\tuser\t"two\nlines"\n\n1\t2\tt\tagent\t\n'
    records = parse_text(text)
    assert [r["text"] for r in records] == ["two\nlines", ""]
    assert [r["acts"] for r in records] == [[], []]


def test_raw_table_of_every_file():
    for domain, count in (("movie", 10), ("restaurant", 7), ("taxi", 6)):
        table = raw_table(
            parse_fixture(domain), msre2e.SCHEMA, f"data/{domain}_all.tsv", location=domain
        )
        assert table.num_rows == count
        assert table.column("session_id").type == "int64"


def test_wrong_header_names_the_file():
    text = "session\tMessage.ID\tMessage.Timestamp\tMessage.From\tMessage.Text\tacts\n1\t1\tt\tuser\thi\n"
    with pytest.raises(UpstreamFormatError, match=r"taxi_all\.tsv line 1: header starts"):
        parse_text(text, "data/taxi_all.tsv")


def test_empty_file_is_an_error():
    with pytest.raises(UpstreamFormatError, match=r"movie_all\.tsv: empty file"):
        parse_text("", "data/movie_all.tsv")


def test_row_with_too_few_fields_names_the_line():
    text = HEADER + "1\t1\tt\tuser\thi\tgreeting()\n1\t2\tt\n"
    with pytest.raises(UpstreamFormatError, match=r"m_all\.tsv line 3: 3 fields"):
        parse_text(text, "m_all.tsv")


def test_non_integer_id_names_the_line():
    text = HEADER + "1\t1\tt\tuser\thi\n1\tx2\tt\tagent\thello\n"
    with pytest.raises(UpstreamFormatError, match=r"m_all\.tsv line 3: message_id 'x2'"):
        parse_text(text, "m_all.tsv")


def test_invalid_utf8_names_the_file():
    content = HEADER.encode("utf-8") + b"1\t1\tt\tuser\tcaf\xe9\n"
    with pytest.raises(UpstreamFormatError, match=r"m_all\.tsv: not valid UTF-8"):
        list(msre2e.parse(content, "m_all.tsv"))


def test_ingest_writes_one_record_per_message_row(tmp_path: Path):
    [report] = ingest_fixture("msre2e", tmp_path)
    assert report.records == 23 and report.files_ingested == 3 and report.complete
    table = pq.read_table(
        tmp_path / "raw" / "msre2e" / "messages" / "data" / "taxi_all.tsv.parquet"
    )
    assert table.column("message_id").to_pylist() == [1, 3, 2, 4, 1, 2]
    assert table.column("_record_index").to_pylist() == list(range(6))
    manifest = raw_store.read_manifest(tmp_path / "raw" / "msre2e")
    assert manifest["data/movie_all.tsv"]["records"] == 10
