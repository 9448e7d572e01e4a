"""Benchmark: the near-duplicate pass on a share of the mirror's texts, time and peak memory.

    python bench/near_duplicates_mirror.py [--data-dir DIR] [--fractions 25,50,100]
                                           [--memory-limit 250MB] [--threads 2]

The pass is the project's own dbt models, compiled with the default vars: the near-duplicate
intermediates (records, normal forms and n-grams, LSH bands, verified pairs, clusters, groups,
neighbours, the texts near evaluation texts) and the marts of models/marts/near_duplicates.
Their inputs are the texts of a warehouse built from the mirror (the staged utterances
of DIR/warehouse.duckdb.staged and `intent_examples` of DIR/warehouse.duckdb; without
--data-dir the whole mirror is ingested and built first, in a temporary folder). Every model
runs as in a first build, on all the texts of the share. For each fraction, a fresh process
takes that share of the dialogues and of the intent examples (by a hash of their ids, so
whole dialogues), runs the compiled models in order under DuckDB's memory limit and threads,
as the build does, and prints each model's seconds, the total, and the process's peak RSS.
The last lines show how time and memory grow with the texts (linear growth doubles them from
50 to 100%). A benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

# The pass's intermediates in the order they run, each with the database the build keeps it
# in: `work` (this build only) or `staged` (kept between builds).
INTERMEDIATES = (
    ("int_near_duplicate_records", "work"),
    ("int_near_duplicate_texts", "work"),
    ("int_near_duplicate_signatures", "staged"),
    ("int_near_duplicate_shingles", "work"),
    ("int_near_duplicate_bands", "staged"),
    ("int_near_duplicate_text_pairs", "staged"),
    ("int_near_duplicate_pairs", "work"),
    ("int_near_duplicate_clusters", "work"),
    ("int_near_duplicate_groups", "work"),
    ("int_near_duplicate_neighbours", "work"),
    ("int_near_duplicate_evaluation_texts", "work"),
)
INTERMEDIATE_NAMES = tuple(name for name, _ in INTERMEDIATES)
MARTS = (
    "near_duplicate_pairs",
    "near_duplicate_cluster_members",
    "near_duplicate_clusters",
    "near_duplicate_metrics",
    "near_duplicate_evaluation_overlap",
)
CATALOG = "bench"  # the compiled marts name the warehouse's catalog: its file's stem


def build_mirror_warehouse(data_dir: Path, mirror: Path) -> None:
    """Ingest and build the whole mirror into data_dir (the pipeline, as a user runs it)."""
    print(f"building the mirror's warehouse in {data_dir} ...", flush=True)
    subprocess.run(
        [sys.executable, "run_pipeline.py", "--mirror", str(mirror), "--allow-partial"],
        cwd=REPO_ROOT,
        env={**os.environ, "DW_DATA_DIR": str(data_dir)},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def compile_models(work_dir: Path, extra_vars: dict | None = None) -> dict[str, str]:
    """The compiled SQL of the pass's models, by name (dbt compile with the registry's vars
    and extra_vars, which override the project's defaults)."""
    from ingest.registry import dbt_vars
    from warehouse.build import run_dbt

    (work_dir / "raw").mkdir(exist_ok=True)
    result = run_dbt(
        ["compile", "--select", *INTERMEDIATE_NAMES, *MARTS],
        warehouse_path=work_dir / f"{CATALOG}.duckdb",
        raw_dir=work_dir / "raw",
        target_dir=work_dir / "target",
        log_dir=work_dir / "logs",
        dbt_vars={**dbt_vars(), **(extra_vars or {})},
        quiet=True,
    )
    if not result.success:
        raise SystemExit(f"dbt compile failed (log: {work_dir / 'logs' / 'dbt.log'})")
    compiled = work_dir / "target" / "compiled" / "dialogue_warehouse" / "models"
    return {
        path.stem: path.read_text(encoding="utf-8")
        for path in compiled.rglob("*.sql")
        if path.stem in INTERMEDIATE_NAMES + MARTS
    }


# The opening of a child process that runs the compiled models (here and in
# bench/near_duplicate_precision.py): its settings (JSON, the first argument), the compiled SQL
# (settings['models']), and the database that SQL expects: the marts' catalog, with the
# intermediates' `work` and `staged` databases, the warehouse (`source`) and its staged
# datasets (`source_staged`, the utterances with their normal forms), read-only, attached.
# `relation(name, database)` names where a model of settings['order'] is created.
CHILD_CONNECTION = r"""
import json, sys, time
import duckdb

settings = json.loads(sys.argv[1])
models = json.loads(open(settings['models']).read())
folder = settings['folder']
connection = duckdb.connect(f"{folder}/{settings['catalog']}.duckdb")
connection.execute(f"attach '{folder}/work.duckdb' as work")
connection.execute(f"attach '{folder}/staged.duckdb' as staged")
connection.execute(f"attach '{settings['warehouse']}' as source (read_only)")
connection.execute(f"attach '{settings['warehouse']}.staged' as source_staged (read_only)")
for schema in ("work.intermediate", "staged.intermediate"):
    connection.execute(f"create schema if not exists {schema}")


def relation(name, database):
    return name if database == 'main' else f"{database}.intermediate.{name}"
"""

# The child process: one fraction, in a fresh process so that its peak RSS is its own.
CHILD = (
    CHILD_CONNECTION
    + r"""
connection.execute(f"set memory_limit = '{settings['memory_limit']}'")
connection.execute(f"set threads = {settings['threads']}")
connection.execute("set preserve_insertion_order = false")
connection.execute(f"set temp_directory = '{folder}/tmp'")
share = settings['percent']
# The inputs as the build gives them: the unioned utterances (whole dialogues) and the
# screened intent examples, a share of each chosen by a hash of the id.
connection.execute(
    "create table staged.intermediate.int_utterances_unioned as "
    "select * from source_staged.intermediate.int_utterances_unioned "
    f"where hash(dialogue_id) % 100 < {share}"
)
connection.execute(
    "create table work.intermediate.int_intent_examples_screened as "
    "select example_id, dataset, split, locale, text, null::varchar as rejection_reason "
    f"from source.main.intent_examples where hash(example_id) % 100 < {share}"
)
inputs = connection.execute(
    "select (select count(*) from staged.intermediate.int_utterances_unioned "
    "where rejection_reason is null) "
    "+ (select count(*) from work.intermediate.int_intent_examples_screened)"
).fetchall()[0][0]
seconds = {}
for name, database in settings['order']:
    started = time.monotonic()
    connection.execute(f"create table {relation(name, database)} as {models[name]}")
    seconds[name] = time.monotonic() - started
counts = {
    name: connection.execute(f"select count(*) from {relation(name, database)}").fetchall()[0][0]
    for name, database in settings['order']
}
peak_kib = next(
    int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:')
)
print(json.dumps({'inputs': inputs, 'seconds': seconds, 'counts': counts, 'peak_kib': peak_kib}))
"""
)


def run_fraction(
    percent: int, warehouse: Path, models_file: Path, memory_limit: str, threads: int
) -> dict:
    """Run the pass on percent % of the texts in a child process; its figures."""
    with tempfile.TemporaryDirectory(prefix=f"near_duplicates_{percent}_") as folder:
        settings = {
            "percent": percent,
            "folder": folder,
            "catalog": CATALOG,
            "warehouse": str(warehouse),
            "models": str(models_file),
            "memory_limit": memory_limit,
            "threads": threads,
            "order": [*INTERMEDIATES, *[(name, "main") for name in MARTS]],
        }
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(settings)],
            capture_output=True,
            text=True,
        )
        if completed.returncode != 0:
            raise SystemExit(f"{percent}%: the pass failed:\n{completed.stderr[-2000:]}")
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        figures["wall"] = time.monotonic() - started
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a data folder built from the mirror")
    parser.add_argument("--mirror", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "raw")
    parser.add_argument("--fractions", default="25,50,100")
    parser.add_argument("--memory-limit", default="250MB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per fraction; the fastest is shown"
    )
    parser.add_argument("--each-model", action="store_true", help="print every model's time")
    arguments = parser.parse_args()
    fractions = [int(value) for value in arguments.fractions.split(",")]

    with tempfile.TemporaryDirectory(prefix="near_duplicates_bench_") as temporary:
        work_dir = Path(temporary)
        data_dir = arguments.data_dir
        if data_dir is None:
            data_dir = work_dir / "data"
            build_mirror_warehouse(data_dir, arguments.mirror.resolve())
        warehouse = (data_dir / "warehouse.duckdb").resolve()
        models = compile_models(work_dir)
        models_file = work_dir / "models.json"
        models_file.write_text(json.dumps(models), encoding="utf-8")
        print(
            f"near-duplicate pass on {warehouse} (memory limit {arguments.memory_limit}, "
            f"{arguments.threads} threads)"
        )
        results = {}
        for percent in fractions:
            runs = [
                run_fraction(
                    percent, warehouse, models_file, arguments.memory_limit, arguments.threads
                )
                for _ in range(arguments.repeat)
            ]
            figures = min(runs, key=lambda run: sum(run["seconds"].values()))
            figures["peak_kib"] = max(run["peak_kib"] for run in runs)
            results[percent] = figures
            total = sum(figures["seconds"].values())
            slowest = sorted(figures["seconds"].items(), key=lambda item: -item[1])[:3]
            print(
                f"{percent:>3}% of the texts: {figures['inputs']:>9,} texts, "
                f"{figures['counts']['int_near_duplicate_texts']:>9,} normal forms, "
                f"{figures['counts']['int_near_duplicate_pairs']:>7,} pairs | "
                f"pass {total:6.1f} s, peak RSS {figures['peak_kib'] / 1024:5.0f} MiB | "
                + ", ".join(
                    f"{name.removeprefix('int_near_duplicate_')} {s:.1f} s" for name, s in slowest
                )
            )
            if arguments.each_model:
                for name, seconds in figures["seconds"].items():
                    rows = figures["counts"][name]
                    print(f"      {name:<40} {seconds:6.1f} s {rows:>11,} rows")
        if len(results) > 1:
            first, last = fractions[0], fractions[-1]
            ratio = last / first
            time_ratio = sum(results[last]["seconds"].values()) / sum(
                results[first]["seconds"].values()
            )
            text_ratio = results[last]["inputs"] / results[first]["inputs"]
            memory_ratio = results[last]["peak_kib"] / results[first]["peak_kib"]
            print(
                f"{first}% -> {last}%: texts x{text_ratio:.2f} (share x{ratio:.0f}), "
                f"time x{time_ratio:.2f}, peak RSS x{memory_ratio:.2f} "
                f"(linear: x{text_ratio:.2f}; quadratic: x{text_ratio**2:.2f})"
            )


if __name__ == "__main__":
    main()
