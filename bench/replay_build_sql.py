"""Benchmark: a build's SQL replayed without dbt, on one DuckDB database, to time its queries alone.

    python bench/replay_build_sql.py DATA_DIR [--threads N] [--output DIR]

DATA_DIR is a data folder whose last build staged everything from nothing (a cold build, or
`run_pipeline.py --skip-ingest --force` with the staged file removed). Its target/ folder holds
what dbt ran: each model's and test's statements (target/run), the order it started them in
(run_results.json) and the manifest. The replay runs each node's statements as dbt ran them,
once the nodes it reads are done, --threads at a time (1 by default; dbt's build runs 2), the
ready ones in dbt's order, into new DuckDB files (the warehouse, `work` and `staged`, under
--output; a temporary folder by default) with the profile's memory limit, each seed copied
from the built warehouse. What dbt does around each node is left out: compiling, its events
and log, the relation cache, comments on relations (persist_docs), pre-hooks (on a build from
nothing they find nothing to delete), unit tests.

It prints the slowest models, then one line: the nodes replayed, the wall time, the models'
and tests' time, and whether every model of the warehouse database has as many rows as the
built one (the replay did the build's work). A benchmark, not a test: nothing asserts a time.
An SQL error stops it, naming the node.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime
import heapq
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.docs_site import warehouse_database

REPO_ROOT = Path(__file__).resolve().parents[1]
# The profile's buffer memory for DuckDB, unless DW_MEMORY_LIMIT says otherwise.
MEMORY_LIMIT_DEFAULT = re.compile(r"env_var\('DW_MEMORY_LIMIT', '([^']+)'\)")
# A table or view dbt created under a temporary name, then renamed to the model's.
TEMPORARY_RELATION = re.compile(r'"([^"]+)"\."([^"]+)"\."([^"]+)__dbt_tmp"')
SLOWEST_SHOWN = 10


def profile_memory_limit() -> str:
    """DuckDB's memory limit as profiles.yml gives it to the build."""
    profile = (REPO_ROOT / "profiles.yml").read_text(encoding="utf-8")
    return os.environ.get("DW_MEMORY_LIMIT", MEMORY_LIMIT_DEFAULT.search(profile).group(1))


def _started_at(result: dict) -> float:
    return datetime.datetime.fromisoformat(result["timing"][0]["started_at"]).timestamp()


@dataclasses.dataclass(frozen=True)
class RecordedBuild:
    """What target/ says of the last build: the seeds, models and tests it ran, in the order
    dbt started them, the project's name and the warehouse's catalog name."""

    nodes: list[dict]
    project: str
    warehouse: str


def recorded_build(target_dir: Path) -> RecordedBuild:
    """The last build of target_dir. Refuses one that was not made from nothing: its
    incremental models' SQL adds to tables it does not create."""
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    if results["args"].get("which") != "build" or not results["args"].get("full_refresh"):
        raise SystemExit(
            f"replay: {target_dir / 'run_results.json'} is not of a build from nothing staged; "
            "build it so first (remove warehouse.duckdb.staged, then run_pipeline.py "
            "--skip-ingest --force)"
        )
    ran = sorted((result for result in results["results"] if result["timing"]), key=_started_at)
    nodes = [manifest["nodes"].get(result["unique_id"]) for result in ran]
    kinds = ("seed", "model", "test")  # not exposures, unit tests or the run's hooks
    nodes = [node for node in nodes if node is not None and node["resource_type"] in kinds]
    return RecordedBuild(nodes, manifest["metadata"]["project_name"], warehouse_database(manifest))


def statements_of(node: dict, target_dir: Path, project: str) -> str:
    """The SQL dbt ran for a model or test (target/run), as it ran it."""
    path = target_dir / "run" / project / node["original_file_path"]
    if node["original_file_path"].endswith((".yml", ".yaml")):  # a generic test
        path = path / node["path"]
    if not path.is_file():
        raise SystemExit(f"replay: {node['unique_id']}: no SQL at {path}")
    return path.read_text(encoding="utf-8")


def open_databases(build: RecordedBuild, output: Path, built: Path) -> duckdb.DuckDBPyConnection:
    """New DuckDB files under output, one per database the build's nodes use (the warehouse's
    as the main one, named as in the build), every schema created; the built warehouse
    attached read-only as `built`, for the seeds. Refuses files already there: the replay
    makes every table anew, and never writes into files it did not create."""
    databases = {node["database"] for node in build.nodes if node["resource_type"] == "model"}
    files = [output / f"{database}.duckdb" for database in sorted(databases | {build.warehouse})]
    for existing in (path for path in files if path.exists()):
        raise SystemExit(f"replay: {existing} already exists; give --output an empty folder")
    connection = duckdb.connect(
        str(output / f"{build.warehouse}.duckdb"),
        config={"memory_limit": profile_memory_limit(), "preserve_insertion_order": False},
    )
    for database in sorted(databases - {build.warehouse}):
        connection.execute(f"attach '{output / database}.duckdb' as \"{database}\"")
    for database, schema in sorted({(node["database"], node["schema"]) for node in build.nodes}):
        connection.execute(f'create schema if not exists "{database}"."{schema}"')
    connection.execute(f"attach '{built}' as built (read_only)")
    return connection


def replay_node(connection: duckdb.DuckDBPyConnection, node: dict, sql: str | None) -> None:
    """Run one node's SQL as dbt did: a seed copied, a test's query fetched, a model's
    statements run and any temporary relation renamed to the model's name."""
    if node["resource_type"] == "seed":
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        connection.execute(
            f'create table "{node["database"]}".{relation} as select * from built.{relation}'
        )
        return
    if node["resource_type"] == "test":
        connection.execute(sql).fetchall()
        return
    connection.execute(sql)
    kind = "view" if re.search(r"\bcreate\s+view\b", sql, re.IGNORECASE) else "table"
    for database, schema, name in sorted(set(TEMPORARY_RELATION.findall(sql))):
        relation = f'"{database}"."{schema}"'
        connection.execute(f'drop {kind} if exists {relation}."{name}"')
        connection.execute(f'alter {kind} {relation}."{name}__dbt_tmp" rename to "{name}"')


def differing_row_counts(connection: duckdb.DuckDBPyConnection, build: RecordedBuild) -> list[str]:
    """The models of the warehouse database whose row count differs from the built one's."""
    differing = []
    for node in build.nodes:
        if node["resource_type"] != "model" or node["database"] != build.warehouse:
            continue
        relation = f'"{node["schema"]}"."{node["alias"]}"'
        replayed = connection.execute(
            f'select count(*) from "{build.warehouse}".{relation}'
        ).fetchall()
        built = connection.execute(f"select count(*) from built.{relation}").fetchall()
        if replayed != built:
            differing.append(f"{node['name']} ({replayed[0][0]:,} rows, built {built[0][0]:,})")
    return differing


def replay_all(
    connection: duckdb.DuckDBPyConnection, nodes: list[dict], statements: dict, threads: int
) -> dict[str, float]:
    """Run every node, `threads` at a time, each once the nodes it reads are done, the ready
    ones in dbt's order; each node's seconds. An SQL error stops the replay, naming the node."""
    order = {node["unique_id"]: index for index, node in enumerate(nodes)}
    by_id = {node["unique_id"]: node for node in nodes}
    waiting_on = {
        node["unique_id"]: set(node["depends_on"].get("nodes", [])) & order.keys() for node in nodes
    }
    readers: dict[str, list[str]] = {unique_id: [] for unique_id in order}
    for unique_id, parents in waiting_on.items():
        for parent in parents:
            readers[parent].append(unique_id)
    ready = [
        (order[unique_id], unique_id) for unique_id, parents in waiting_on.items() if not parents
    ]
    heapq.heapify(ready)

    def run(unique_id: str) -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            try:
                replay_node(cursor, by_id[unique_id], statements.get(unique_id))
            except duckdb.Error as error:
                first_line = str(error).splitlines()[0]
                raise SystemExit(f"replay: {unique_id}: {first_line}") from error
        return time.perf_counter() - started

    seconds: dict[str, float] = {}
    running: dict[concurrent.futures.Future, str] = {}
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        while ready or running:
            while ready and len(running) < threads:
                unique_id = heapq.heappop(ready)[1]
                running[pool.submit(run, unique_id)] = unique_id
            done, _ = concurrent.futures.wait(
                running, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                unique_id = running.pop(future)
                seconds[unique_id] = future.result()
                for reader in readers[unique_id]:
                    waiting_on[reader].discard(unique_id)
                    if not waiting_on[reader]:
                        heapq.heappush(ready, (order[reader], reader))
    return seconds


def replay(data_dir: Path, output: Path, threads: int = 1) -> tuple[str, bool]:
    """Replay data_dir's last build into output, `threads` nodes at a time: the summary line,
    and whether every warehouse model came out with the built one's row count."""
    data_dir = data_dir.resolve()
    target_dir = data_dir / "target"
    build = recorded_build(target_dir)
    nodes = build.nodes
    statements = {
        node["unique_id"]: statements_of(node, target_dir, build.project)
        for node in nodes
        if node["resource_type"] != "seed"
    }
    # The sources' paths are relative to the warehouse's folder, where the build ran dbt.
    previous_dir = os.getcwd()
    os.chdir(data_dir)
    try:
        with open_databases(build, output.resolve(), data_dir / "warehouse.duckdb") as connection:
            started = time.perf_counter()
            seconds = replay_all(connection, nodes, statements, threads)
            wall = time.perf_counter() - started
            differing = differing_row_counts(connection, build)
    finally:
        os.chdir(previous_dir)
    node_by_id = {node["unique_id"]: node for node in nodes}
    slowest = sorted(seconds.items(), key=lambda item: -item[1])
    slowest = [item for item in slowest if node_by_id[item[0]]["resource_type"] == "model"]
    for unique_id, elapsed in slowest[:SLOWEST_SHOWN]:
        print(f"  {elapsed:5.2f} s  {node_by_id[unique_id]['name']}")
    kinds = {"model": [], "test": [], "seed": []}
    for unique_id, elapsed in seconds.items():
        kinds[node_by_id[unique_id]["resource_type"]].append(elapsed)
    check = (
        "every warehouse model has the built one's row count"
        if not differing
        else "ROW COUNTS DIFFER: " + ", ".join(differing)
    )
    summary = (
        f"replayed {len(nodes)} nodes on {threads} thread{'s' if threads > 1 else ''} "
        f"in {wall:.1f} s; node time: "
        + ", ".join(f"{len(times)} {kind}s {sum(times):.1f} s" for kind, times in kinds.items())
        + f"; {check}"
    )
    return summary, not differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="a data folder built from nothing staged")
    parser.add_argument("--output", type=Path, help="where the replayed files go (kept)")
    parser.add_argument(
        "--threads", type=int, default=1, help="nodes run at a time (dbt's build runs 2)"
    )
    arguments = parser.parse_args(argv)
    if arguments.threads < 1:
        parser.error("--threads must be at least 1")
    if arguments.output is not None:
        arguments.output.mkdir(parents=True, exist_ok=True)
        summary, same_rows = replay(arguments.data_dir, arguments.output, arguments.threads)
    else:
        with tempfile.TemporaryDirectory() as temporary:
            summary, same_rows = replay(arguments.data_dir, Path(temporary), arguments.threads)
    print(summary)
    return 0 if same_rows else 1


if __name__ == "__main__":
    sys.exit(main())
