"""The dbt docs site each build writes into the data folder, served while the warehouse is in
use (the dashboard holds it open), exactly as the README says."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import duckdb

from tests.browser_support import free_port
from tests.support import REPO_ROOT


def test_the_build_writes_a_docs_site_with_the_catalog_of_the_warehouse(fixture_warehouse):
    data_dir, summary = fixture_warehouse
    site = data_dir / "docs"
    assert sorted(path.name for path in site.iterdir()) == [
        "catalog.json",
        "index.html",
        "manifest.json",
    ]
    assert not any("docs site not written" in warning for warning in summary.warnings)
    catalog = json.loads((site / "catalog.json").read_text())
    turns = catalog["nodes"]["model.dialogue_warehouse.turns"]
    assert turns["metadata"]["type"] == "BASE TABLE"
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as connection:
        columns = connection.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'main' and table_name = 'turns' order by column_index"
        ).fetchall()
    assert [(c["name"], c["type"], c["comment"]) for c in turns["columns"].values()] == columns
    assert all(comment for _, _, comment in columns)  # every column described
    assert catalog["nodes"]["model.dialogue_warehouse.dialogues"]["metadata"]["type"] == "VIEW"
    manifest = json.loads((site / "manifest.json").read_text())
    overview = manifest["docs"]["doc.dialogue_warehouse.__overview__"]["block_contents"]
    assert "# The dialogue-embedder data warehouse" in overview


def test_dbt_docs_serve_works_while_the_warehouse_is_open(fixture_warehouse):
    data_dir, _ = fixture_warehouse
    port = free_port()
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True):  # as the dashboard
        server = subprocess.Popen(
            [
                "dbt",
                "docs",
                "serve",
                "--project-dir",
                ".",
                "--profiles-dir",
                ".",
                "--target-path",
                str(data_dir / "docs"),
                "--port",
                str(port),
                "--no-browser",
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog.json") as reply:
                        served = json.loads(reply.read())
                    break
                except OSError:
                    assert server.poll() is None, "dbt docs serve exited"
                    assert time.monotonic() < deadline, "dbt docs serve did not answer"
                    time.sleep(0.3)
            assert "model.dialogue_warehouse.turns" in served["nodes"]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html") as reply:
                assert reply.status == 200 and b"dbt" in reply.read(2000)
        finally:
            server.terminate()
            server.wait(timeout=10)
