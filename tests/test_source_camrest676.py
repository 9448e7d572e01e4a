"""CamRest676 parser on its fixture in the upstream format (banner lines, mixed-type sys.DA)."""

from __future__ import annotations

import json

from ingest.sources import camrest676
from tests.source_support import raw_table
from tests.support import FIXTURE_UPSTREAM, kept_in_extra

FIXTURE = FIXTURE_UPSTREAM / "camrest676" / "data" / "CamRest676.json"


def table_of(records):
    return raw_table(records, camrest676.SCHEMA, "data/CamRest676.json", location=str(FIXTURE))


def test_parses_dialogues_after_the_banner():
    records = camrest676.parse(FIXTURE.read_bytes(), str(FIXTURE))
    assert [r["dialogue_id"] for r in records] == [0, 1, 2, 3, 4]
    table = table_of(records)
    assert table.num_rows == 5
    first = table.to_pylist()[0]
    assert first["goal"]["constraints"] == [["pricerange", "expensive"], ["area", "south"]]
    assert first["dial"][0]["usr"]["slu"][1]["slots"] == [["area", "south"]]
    assert first["_record_index"] == 0 and first["_upstream_split"] is None


def test_mixed_type_system_acts_are_kept_as_json_text():
    records = camrest676.parse(FIXTURE.read_bytes(), str(FIXTURE))
    assert json.loads(records[1]["dial"][0]["sys"]["DA"]) == ["area", ["pricerange"]]
    assert records[0]["dial"][1]["sys"]["DA"] == "[]"


def test_unexpected_key_is_refused():
    records = camrest676.parse(FIXTURE.read_bytes(), str(FIXTURE))
    records[2]["dial"][0]["usr"]["asr"] = []
    kept_in_extra(table_of(records), "dial[0].usr.")


def test_a_line_separator_inside_a_json_string_is_text_not_a_line_break(tmp_path):
    """The banner is stripped by its own rule (leading lines starting with '#', ended by \\n);
    the JSON after it is parsed as JSON, so U+2028 and U+0085 inside a string stay in it."""
    text = FIXTURE.read_text(encoding="utf-8")
    odd = "table for two\u2028at seven\u0085please"
    planted = text.replace('"transcript": "', f'"transcript": "{odd} ', 1)
    assert planted != text
    path = tmp_path / "CamRest676.json"
    path.write_text(planted, encoding="utf-8")
    records = camrest676.parse(path.read_bytes(), str(path))
    transcripts = [turn["usr"]["transcript"] for r in records for turn in r["dial"]]
    assert any(transcript.startswith(odd + " ") for transcript in transcripts)
    assert len(records) == 5


def test_the_banner_is_only_the_leading_hash_lines():
    assert camrest676.without_banner("# a\n# b\n[1,\n2]") == "[1,\n2]"
    assert camrest676.without_banner('[{"x": "#not a banner"}]') == '[{"x": "#not a banner"}]'
    assert camrest676.without_banner("# only a banner") == ""
