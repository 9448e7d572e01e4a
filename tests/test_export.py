"""Training-ready exports: round trip through `datasets`, decontamination, restricted terms."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from warehouse.export import MARKER, ExportError, export

PLANTED_OVERLAP = "How do I locate my card?"  # a BANKING77 test text, planted in a CamRest676 turn


@pytest.fixture(scope="module")
def exported(fixture_warehouse, tmp_path_factory):
    data_dir, _ = fixture_warehouse
    export_dir = tmp_path_factory.mktemp("export") / "out"
    summary = export(
        data_dir / "warehouse.duckdb",
        export_dir,
        command="python run_pipeline.py --export out",
        progress=lambda _: None,
    )
    return data_dir, export_dir, summary


def test_pairs_hold_exactly_the_training_columns_and_provenance_by_row(exported):
    from datasets import load_dataset

    _, export_dir, summary = exported
    for pair_type in ("next_turn", "context_response"):
        pairs = load_dataset("parquet", data_dir=str(export_dir / "pairs" / pair_type))
        assert set(pairs) == set(summary.rows[f"pairs/{pair_type}"]) == {"train", "validation"}
        assert pairs["train"].column_names == ["anchor", "positive"]
        assert pairs["train"].num_rows == summary.rows[f"pairs/{pair_type}"]["train"]
    provenance = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "provenance"))
    train = provenance["train"]
    assert {"row_index", "pair_id", "pair_type", "dataset", "split", "dialogue_id"} <= set(
        train.column_names
    )
    assert "anchor" not in train.column_names and "anchor_text" not in train.column_names
    assert train.num_rows == sum(
        summary.rows[f"pairs/{pair_type}"]["train"]
        for pair_type in ("next_turn", "context_response")
    )
    assert len(set(train["pair_id"])) == train.num_rows
    # Row i of next_turn/train.parquet is the provenance row (next_turn, row_index i).
    next_turn = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "next_turn"))["train"]
    rows = [row for row in train if row["pair_type"] == "next_turn"]
    assert [row["row_index"] for row in rows] == list(range(next_turn.num_rows))
    assert set(train.unique("split")) == {"train"}


def test_provenance_rows_name_the_pair_they_sit_beside(exported):
    from datasets import load_dataset

    data_dir, export_dir, _ = exported
    next_turn = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "next_turn"))["train"]
    provenance = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "provenance"))
    rows = [row for row in provenance["train"] if row["pair_type"] == "next_turn"]
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        texts = dict(
            (pair_id, (anchor, positive))
            for pair_id, anchor, positive in connection.execute(
                "select pair_id, anchor_text, positive_text from utterance_pairs"
            ).fetchall()
        )
    for position in (0, len(rows) // 2, len(rows) - 1):
        pair = next_turn[position]
        assert texts[rows[position]["pair_id"]] == (pair["anchor"], pair["positive"])


def test_the_pairs_card_shows_the_training_snippet_and_loads_by_config(exported):
    from datasets import load_dataset

    from warehouse.export import training_snippet

    _, export_dir, summary = exported
    card = (export_dir / "pairs" / "README.md").read_text(encoding="utf-8")
    # The snippet names the pairs as the export was asked for (here an absolute path), so it
    # runs as it is (tests/test_embedder_train.py runs it).
    assert training_snippet(f"{export_dir.as_posix()}/pairs/next_turn") in card
    assert "SentenceTransformer(str(get_model_path()))" in card
    assert "MultipleNegativesRankingLoss" in card
    by_config = load_dataset(str(export_dir / "pairs"), "context_response")
    assert by_config["train"].num_rows == summary.rows["pairs/context_response"]["train"]
    assert by_config["train"].column_names == ["anchor", "positive"]


def test_cards_state_every_sources_completeness(fixture_warehouse, exported, tmp_path):
    data_dir, _ = fixture_warehouse
    _, export_dir, _ = exported
    card = (export_dir / "pretrain_turns" / "README.md").read_text(encoding="utf-8")
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        registered = dict(
            connection.execute(
                "select dataset, sum(n_files_registered) from source_completeness "
                "where dataset = 'sgd' group by 1"
            ).fetchall()
        )
    assert f"complete ({int(registered['sgd']):,} files)" in card
    assert "INCOMPLETE" not in card

    # The same warehouse with SGD missing a file: every card that covers SGD says so.
    copy = tmp_path / "data" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copy2(data_dir / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as connection:
        kind = connection.execute(
            "select table_type from information_schema.tables where table_name = 'source_completeness'"
        ).fetchone()[0]
        assert kind == "BASE TABLE"
        connection.execute(
            "update source_completeness set n_files_missing = 1, is_complete = false "
            "where dataset = 'sgd' and split = (select min(split) from source_completeness where dataset = 'sgd')"
        )
    export(copy, tmp_path / "out", command="c", progress=lambda _: None)
    for folder in ("pairs", "pretrain_turns", "pretrain_dialogues"):
        card = (tmp_path / "out" / folder / "README.md").read_text(encoding="utf-8")
        assert f"INCOMPLETE: 1 of {int(registered['sgd']):,} files missing" in card
        assert "Built from incomplete sources" in card


def test_no_test_split_and_no_downstream_evaluation_text_in_training_exports(exported):
    from datasets import load_dataset

    data_dir, export_dir, _ = exported
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        evaluation_texts = {
            row[0]
            for row in connection.execute(
                "select lower(text) from intent_examples where split in ('validation', 'test')"
            ).fetchall()
        }
        [(planted,)] = connection.execute(
            "select count(*) from turns where text = ?", [PLANTED_OVERLAP]
        ).fetchall()
    assert planted == 1, (
        "the CamRest676 fixture plants one utterance equal to a BANKING77 test text"
    )
    assert PLANTED_OVERLAP.lower() in evaluation_texts
    turns = load_dataset("parquet", data_dir=str(export_dir / "pretrain_turns"))
    pairs = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "next_turn"))
    for split in turns:
        assert "test" not in turns[split].unique("split")
        assert not {text.lower() for text in turns[split]["text"]} & evaluation_texts
    for split in pairs:
        assert not {text.lower() for text in pairs[split]["positive"]} & evaluation_texts
        assert not any(PLANTED_OVERLAP in anchor for anchor in pairs[split]["anchor"])
    provenance = load_dataset("parquet", data_dir=str(export_dir / "pairs" / "provenance"))
    for split in provenance:
        assert "test" not in provenance[split].unique("split")


def test_decontamination_is_reported_in_the_summary_and_the_cards(exported):
    data_dir, export_dir, _ = exported
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        [(overlap,)] = connection.execute(
            "select sum(n_turns_equal_to_evaluation_text) from decontamination_summary"
        ).fetchall()
    assert overlap >= 1
    card = (export_dir / "pretrain_turns" / "README.md").read_text(encoding="utf-8")
    assert f"{overlap:,} utterances equal to a downstream validation/test example removed" in card
    assert "python run_pipeline.py --export out" in card
    assert "CC BY-SA 4.0" in card  # SGD's license, from the registry seed


def test_downstream_sets_per_dataset_locale_and_split(exported):
    from datasets import load_dataset

    _, export_dir, summary = exported
    massive = load_dataset("parquet", data_dir=str(export_dir / "downstream" / "massive" / "zh-TW"))
    assert set(massive["train"].unique("locale")) == {"zh-TW"}
    assert (export_dir / "downstream" / "banking77" / "en" / "test.parquet").is_file()
    assert summary.rows["downstream/banking77"]["en test"] == 4
    assert "CC BY 4.0" in (export_dir / "downstream" / "banking77" / "README.md").read_text()


def test_restricted_datasets_are_left_out_unless_named(fixture_warehouse, tmp_path):
    from ingest.registry import REGISTRY

    data_dir, _ = fixture_warehouse
    restricted = sorted(d for d in REGISTRY if not REGISTRY[d].redistributable)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        present = {
            row[0]
            for row in connection.execute("select distinct dataset from dialogues").fetchall()
        }
    in_warehouse = [d for d in restricted if d in present]
    if not in_warehouse:
        pytest.skip("no restricted dataset has fixture dialogues in this warehouse yet")
    default = export(
        data_dir / "warehouse.duckdb", tmp_path / "a", command="c", progress=lambda _: None
    )
    assert default.restricted_left_out == in_warehouse
    card = (tmp_path / "a" / "pairs" / "README.md").read_text(encoding="utf-8")
    assert "forbid redistribution" in card and in_warehouse[0] in card
    named = export(
        data_dir / "warehouse.duckdb",
        tmp_path / "b",
        command="c",
        include_restricted=[in_warehouse[0]],
        progress=lambda _: None,
    )
    assert named.restricted_included == [in_warehouse[0]]


def test_export_errors_leave_nothing_behind(tmp_path):
    with pytest.raises(ExportError, match="no warehouse at"):
        export(
            tmp_path / "data" / "missing.duckdb",
            tmp_path / "out",
            command="c",
            progress=lambda _: None,
        )
    assert not (tmp_path / "out").exists()


# --- where an export may go (issue 14: exports never delete what they do not own) ----------


def quiet_export(warehouse, target, **options):
    return export(warehouse, target, command="c", progress=lambda _: None, **options)


def test_a_planted_file_beside_the_target_survives_export_and_re_export(
    fixture_warehouse, tmp_path
):
    data_dir, _ = fixture_warehouse
    planted = tmp_path / "planted.txt"
    planted.write_text("mine", encoding="utf-8")
    target = tmp_path / "out"
    quiet_export(data_dir / "warehouse.duckdb", target)
    first = json.loads((target / MARKER).read_text(encoding="utf-8"))
    assert first["entries"] == ["downstream", "pairs", "pretrain_dialogues", "pretrain_turns"]
    # A file of the user's inside an earlier export is not one the export wrote: it stays.
    (target / "notes.md").write_text("my notes", encoding="utf-8")
    quiet_export(data_dir / "warehouse.duckdb", target)
    assert planted.read_text(encoding="utf-8") == "mine"
    assert (target / "notes.md").read_text(encoding="utf-8") == "my notes"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "planted.txt"]
    assert sorted(path.name for path in target.iterdir()) == sorted(
        [MARKER, "notes.md", *first["entries"]]
    )
    assert (target / "pairs" / "next_turn" / "train.parquet").is_file()


def test_a_non_empty_folder_without_the_marker_is_refused_and_left_as_it_was(
    fixture_warehouse, tmp_path
):
    data_dir, _ = fixture_warehouse
    target = tmp_path / "photos"
    target.mkdir()
    (target / "holiday.jpg").write_bytes(b"jpeg")
    with pytest.raises(ExportError, match=r"not empty and holds no \.dialogue-warehouse-export"):
        quiet_export(data_dir / "warehouse.duckdb", target)
    assert [path.name for path in target.iterdir()] == ["holiday.jpg"]
    assert (target / "holiday.jpg").read_bytes() == b"jpeg"


def test_an_empty_folder_is_used_and_marked(fixture_warehouse, tmp_path):
    data_dir, _ = fixture_warehouse
    target = tmp_path / "empty"
    target.mkdir()
    quiet_export(data_dir / "warehouse.duckdb", target)
    assert (target / MARKER).is_file() and (target / "pretrain_turns" / "README.md").is_file()
    assert not [
        path for path in target.iterdir() if path.name.startswith((".exporting", ".retired"))
    ]


def test_a_file_path_as_target_is_refused(fixture_warehouse, tmp_path):
    data_dir, _ = fixture_warehouse
    target = tmp_path / "export.txt"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        quiet_export(data_dir / "warehouse.duckdb", target)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export.txt"]


@pytest.mark.parametrize("where", ["the data folder", "inside it", "around it"])
def test_the_data_folder_is_refused(fixture_warehouse, tmp_path, where):
    data_dir, _ = fixture_warehouse
    before = sorted(path.name for path in data_dir.iterdir())
    target = {
        "the data folder": data_dir,
        "inside it": data_dir / "exports",
        "around it": data_dir.parent,
    }[where]
    with pytest.raises(ExportError, match="refusing to export into"):
        quiet_export(data_dir / "warehouse.duckdb", target, data_dir=data_dir)
    assert sorted(path.name for path in data_dir.iterdir()) == before
    assert not (data_dir / "exports").exists()


def test_run_pipeline_refuses_to_export_into_the_data_folder_before_it_starts(
    fixture_warehouse, capsys
):
    import run_pipeline

    data_dir, _ = fixture_warehouse
    before = sorted(path.name for path in data_dir.iterdir())
    code = run_pipeline.main(
        ["--data-dir", str(data_dir), "--skip-ingest", "--export", str(data_dir / "export")]
    )
    assert code == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("FAILED: ExportError: refusing to export into")
    assert "inside the data folder" in last
    assert sorted(path.name for path in data_dir.iterdir()) == before
