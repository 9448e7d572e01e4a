"""The dbt documentation site of a build, written by the build itself into `<data dir>/docs`.

dbt's own `dbt docs generate` opens the warehouse for writing, which DuckDB refuses while the
dashboard (or anyone) reads it, and it parses and compiles the project again. The build
already has what the site needs: dbt's manifest.json of the build it just ran, and the new
warehouse file, not yet swapped in, whose tables, views, columns, types and descriptions
(dbt's persist_docs) give the catalog. So the build writes the three files of the site
(index.html from dbt, manifest.json, catalog.json) into a fresh folder and swaps it in whole.
`dbt docs serve --target-path <data dir>/docs` (or any static file server) serves it without
touching the warehouse.

The catalog covers the relations in the warehouse file and in `<warehouse>.staged` (the staged
unions). The intermediates of the build's `work` database are gone once the build ends: the
site shows their descriptions and lineage from the manifest, without a catalog entry.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.work_paths import unique_work_path

SITE_FILES = ("index.html", "manifest.json", "catalog.json")
CATALOGUED_TYPES = ("model", "seed", "snapshot")
# The databases of the profile besides the warehouse (profiles.yml's attachments).
STAGED_DATABASE = "staged"
WORK_DATABASE = "work"


def warehouse_database(manifest: dict) -> str:
    """The catalog name dbt gave the warehouse file (its name before the first dot)."""
    databases = [
        node.get("database")
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
        and node.get("database") not in (None, STAGED_DATABASE, WORK_DATABASE)
    ]
    if not databases:
        raise ValueError("the manifest names no model in the warehouse database")
    return max(set(databases), key=databases.count)


def _relations(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], dict]:
    """(database, schema, name) -> {type, comment, columns} of every table and view."""
    relations: dict[tuple[str, str, str], dict] = {}
    tables = connection.execute(
        """
        select database_name, schema_name, table_name, 'BASE TABLE', comment from duckdb_tables()
        union all
        select database_name, schema_name, view_name, 'VIEW', comment from duckdb_views()
        where not internal
        """
    ).fetchall()
    for database, schema, name, kind, comment in tables:
        relations[(database, schema, name)] = {"type": kind, "comment": comment, "columns": {}}
    columns = connection.execute(
        """
        select database_name, schema_name, table_name, column_name, column_index, data_type,
            comment
        from duckdb_columns()
        order by database_name, schema_name, table_name, column_index
        """
    ).fetchall()
    for database, schema, name, column, index, data_type, comment in columns:
        relation = relations.get((database, schema, name))
        if relation is not None:
            relation["columns"][column] = {
                "type": data_type,
                "index": index,
                "name": column,
                "comment": comment,
            }
    return relations


def catalog(connection: duckdb.DuckDBPyConnection, manifest: dict) -> dict:
    """dbt's catalog.json document for the manifest's nodes and sources found on connection."""
    from dbt.artifacts.schemas.catalog import CatalogArtifact
    from dbt_common.contracts.metadata import CatalogTable

    found = {
        tuple(part.lower() for part in key): relation
        for key, relation in _relations(connection).items()
    }

    def entries(nodes: dict) -> dict:
        catalogued = {}
        for unique_id, node in nodes.items():
            if node["resource_type"] not in (*CATALOGUED_TYPES, "source"):
                continue
            name = node.get("alias") or node.get("identifier") or node["name"]
            key = (str(node.get("database") or "").lower(), node["schema"].lower(), name.lower())
            relation = found.get(key)
            if relation is None:
                continue
            catalogued[unique_id] = CatalogTable.from_dict(
                {
                    "metadata": {
                        "type": relation["type"],
                        "schema": node["schema"],
                        "name": name,
                        "database": node.get("database"),
                        "comment": relation["comment"],
                        "owner": None,
                    },
                    "columns": relation["columns"],
                    "stats": {},
                    "unique_id": unique_id,
                }
            )
        return catalogued

    artifact = CatalogArtifact.from_results(
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        nodes=entries(manifest.get("nodes", {})),
        sources=entries(manifest.get("sources", {})),
        compile_results=None,
        errors=None,
    )
    return artifact.to_dict(omit_none=False)


def write_docs_site(
    warehouse_file: Path, manifest_path: Path, docs_dir: Path, staged_file: Path | None = None
) -> Path:
    """Write the site for this warehouse file and manifest into docs_dir, replaced whole."""
    from dbt.task.docs import DOCS_INDEX_FILE_PATH

    manifest_text = Path(manifest_path).read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    with duckdb.connect() as connection:
        # Attached under the catalog names dbt gave them in the manifest.
        connection.execute(
            f'attach ? as "{warehouse_database(manifest)}" (read_only)', [str(warehouse_file)]
        )
        if staged_file is not None and Path(staged_file).is_file():
            connection.execute(f'attach ? as "{STAGED_DATABASE}" (read_only)', [str(staged_file)])
        document = catalog(connection, manifest)
    docs_dir = Path(docs_dir)
    docs_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = unique_work_path(docs_dir.parent, f".{docs_dir.name}.")  # named before it exists
    try:
        fresh.mkdir()
        shutil.copyfile(DOCS_INDEX_FILE_PATH, fresh / "index.html")
        (fresh / "manifest.json").write_text(manifest_text, encoding="utf-8")
        (fresh / "catalog.json").write_text(json.dumps(document), encoding="utf-8")
        os.chmod(fresh, 0o755)
        retired = None
        if docs_dir.exists():
            retired = docs_dir.with_name(f".{docs_dir.name}.retired.{os.getpid()}")
            os.replace(docs_dir, retired)
        os.replace(fresh, docs_dir)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return docs_dir
