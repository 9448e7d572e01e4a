"""Lint the dbt project's SQL with sqlfluff, giving dbt the registry's vars as a build does.

    python -m warehouse.sql_lint models data_tests

The dataset lists are not in dbt_project.yml (the registry is their only home), so the dbt
templater gets them here, through sqlfluff's templater context. Exits 1 on any violation.
"""

from __future__ import annotations

import os
import sys

from ingest.registry import dbt_vars


def main(paths: list[str]) -> int:
    """Lint the paths; print one line per violation; 0 when clean."""
    from sqlfluff.core import FluffConfig, Linter  # imported late: sqlfluff is slow to import
    from sqlfluff.core.config import load_config_up_to_path

    # The dbt templater only compiles the project; an in-memory DuckDB is enough for that.
    os.environ.setdefault("DW_WAREHOUSE_PATH", ":memory:")
    configs = load_config_up_to_path(path=".")
    # Given as a mapping, not through set_value, which would coerce the lists to strings.
    configs.setdefault("templater", {}).setdefault("dbt", {})["context"] = dbt_vars()
    config = FluffConfig(configs=configs)
    result = Linter(config=config).lint_paths(tuple(paths or ["models", "data_tests"]))
    for record in result.as_records():
        for violation in record["violations"]:
            print(
                f"{record['filepath']}:{violation['start_line_no']}:"
                f"{violation['start_line_pos']}: {violation['code']} {violation['description']}"
            )
    print(f"sqlfluff: {len(result.as_records())} file(s), {result.num_violations()} violation(s)")
    return 1 if result.num_violations() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
