"""Parity of the engine-specific macros: each runs on DuckDB and on Spark with the same input.

The models of tests/spark_project call this project's macros (macros/) on small input tables;
dbt compiles them once for the `duckdb` target and once for the `spark` target (compiling needs
no connection), and each compiled query runs on an in-memory DuckDB and on one local Spark
session started for the module. Every result must equal the hand-computed rows below, on
DuckDB, on Spark with ANSI mode (Spark 4's default) and on Spark without it (as many clusters
run). Each input is chosen to trip one of the traps of issue 11 (0-based indexing, ordered
aggregates losing order or nulls, size of null, hex casts, regexp flags and backslashes, ...).

Needs the `spark` extra (pyspark, dbt-spark) and Java; skipped, saying so, without them.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess

import pytest

from tests.support import REPO_ROOT, local_spark_session, require_spark_module

FIXTURE_PROJECT = REPO_ROOT / "tests" / "spark_project"
MACROS = REPO_ROOT / "macros"

require_spark_module()

# pyspark warns that it is not tested with pandas 3; it reads no pandas here.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")

# Dispatched macros that have no spark__ implementation yet, with the reason; the fixture
# project compiles them for Spark as stubs that fail if called.
PENDING_ON_SPARK: dict[str, str] = {}
# dbt's own dispatched macros this project overrides for Spark, with the reason; the full-build
# parity test (tests/test_spark_build.py) covers them.
DBT_MACRO_OVERRIDES = {
    "load_csv_rows": "dbt-spark's seed loader leaves quotes in values unescaped",
}
# Spark macros that run statements rather than give an expression, so no model here can call
# them; the full-build parity test runs them.
FULL_BUILD_ONLY = {
    "register_spark_sources": "creates a view over every source's files before the models run",
}

# Input tables, created alike in both engines: name -> (columns with types, rows).
INPUTS = {
    "parity_values": (
        [("group_id", "int"), ("sort_key", "int"), ("value", "string")],
        [
            # Group 1: out of order, a tie on sort_key 2 (with a null value), a null sort key,
            # a value twice.
            (1, 3, "c"),
            (1, 1, "b"),
            (1, 2, None),
            (1, 2, "a"),
            (1, None, "z"),
            (1, 5, "b"),
            (2, 1, "only"),
            # Group 3: only null values.
            (3, 1, None),
            (3, 2, None),
            # Groups 4 and 5 for the window aggregates.
            (4, 3, "q"),
            (4, 1, "p"),
            (4, 2, None),
            (5, 2, "r"),
            (5, 1, None),
        ],
    ),
    "parity_turns": (
        [
            ("dialogue_id", "string"),
            ("turn_index", "int"),
            ("speaker", "string"),
            ("text", "string"),
            ("n_words", "int"),
            ("n_chars", "int"),
        ],
        [
            ("d1", 1, "system", "hello", 1, 5),
            ("d1", 0, "user", "hi there", 2, 8),
            ("d1", 2, "user", "bye", 1, 3),
            ("d2", 0, "user", "solo", 1, 4),
        ],
    ),
    "parity_texts": (
        [("text_id", "int"), ("raw_text", "string")],
        [
            (1, " Hello,\t\tworld \n"),
            (2, "a\u00a0b\u2028c\u3000\u3000d"),  # no-break space, line separator, ideographic
            (3, "\x0bkeep\x0b"),  # vertical tab: not white space to RE2's \s (Java's \s takes it)
            (4, "x\u0085 y"),  # NEL is a control character, not a separator: kept
            (5, None),
            (6, " \t "),
            (7, "ΟΔΟΣ İstanbul Straße"),
            (8, "one  two   three"),  # every run replaced, not only the first
            (9, "a:b::c:"),
            (10, "Cafe\u0301 cre\u0300me"),  # decomposed accents
            (100, "abc"),
            (101, "abd"),
            (102, "abc"),
            # md5 prefixes: 71913e88 (% 10 = 6), 575efbba (8), 8431c141 (9),
            # f003a0b5 (4026769589 > 2^31: 9), ff7c40a3 (1).
            (200, "msre2e:movie:1"),
            (201, "msre2e:movie:7"),
            (202, "msre2e:movie:13"),
            (203, "msre2e:movie:15"),
            (204, "msre2e:movie:20"),
            (300, "Book a table, for 2!"),
            (301, "I'd like it \u2014 don't you?"),
            (302, "It\u2019s `quoted` ΟΔΟΣ İzmir"),
            (303, "¡Hola! ¿Qué tal? 3½ días"),  # ½ is a number (No): kept
            (304, "...!!!"),
            # Word bigrams: {a b, b c, c d}, {a b, b c, c e}, {a b, b a}, one shingle, as 310.
            (310, "A b, c d."),
            (311, "a b c e"),
            (312, "a b a b"),
            (313, "solo"),
            (314, "a b c d"),
        ],
    ),
}

TURN_0 = {"turn_index": 0, "speaker": "user", "text": "hi there"}

# Model -> (columns, rows) expected on every engine, or {engine: (columns, rows)}.
EXPECTED = {
    "unnest_with_position": (
        ["list_id", "item_position", "item"],
        [(1, 0, "a"), (1, 1, "b"), (1, 2, "c"), (4, 0, "d"), (4, 1, None)],
    ),
    "unnest_structs_with_position": (
        ["dialogue_id", "turn_position", "speaker", "utterance"],
        [("d1", 0, "USER", "hi"), ("d1", 1, "SYSTEM", "hello")],
    ),
    "unnest_list": (["item"], [("a",), ("b",), ("c",), (None,)]),
    "json_and_types": (["base_model", "absent", "day"], [("m", None, datetime.date(2026, 1, 2))]),
    "columns_if_missing": (["n_rows", "n_values"], [(14, 9)]),
    "list_length": (["list_id", "n_items"], [(1, 3), (2, 0), (3, None), (4, 2)]),
    "list_element": (
        ["at_1", "at_length", "past_end", "at_0", "last_of_empty", "field_of_first"],
        [("first", "last", None, None, None, "hi")],
    ),
    "list_literals": (
        ["two_strings", "speaker_text", "cast_list", "empty_list", "coalesced_empty"],
        [(["x", "y"], {"speaker": "user", "text": "hi"}, ["a"], [], [])],
    ),
    "ordered_aggregates": (
        ["group_id", "values_in_order", "distinct_values", "joined_in_order", "joined_distinct"],
        [
            # By sort key (ties by value, nulls last), duplicates kept; distinct values by
            # themselves, null last; joined texts leave nulls out.
            (
                1,
                ["b", "a", None, "c", "b", "z"],
                ["a", "b", "c", "z", None],
                "b|a|c|b|z",
                "a|b|c|z",
            ),
            (2, ["only"], ["only"], "only", "only"),
            # Nothing to join gives null, not ''.
            (3, [None, None], [None], None, None),
        ],
    ),
    "dialogue_turns_aggregated": (
        [
            "dialogue_id",
            "n_turns",
            "n_user_turns",
            "n_system_turns",
            "n_words",
            "n_chars",
            "turns",
            "dialogue_text",
        ],
        [
            (
                "d1",
                3,
                2,
                1,
                4,
                16,
                [
                    TURN_0,
                    {"turn_index": 1, "speaker": "system", "text": "hello"},
                    {"turn_index": 2, "speaker": "user", "text": "bye"},
                ],
                "user: hi there\nsystem: hello\nuser: bye",
            ),
            (
                "d2",
                1,
                1,
                0,
                1,
                4,
                [{"turn_index": 0, "speaker": "user", "text": "solo"}],
                "user: solo",
            ),
        ],
    ),
    "windowed_aggregates": (
        ["group_id", "sort_key", "values_so_far", "joined_so_far"],
        [
            (4, 1, ["p"], "p"),
            (4, 2, ["p", None], "p"),
            (4, 3, ["p", None, "q"], "p,q"),
            (5, 1, [None], None),
            (5, 2, [None, "r"], "r"),
        ],
    ),
    "list_transforms": (
        [
            "services",
            "intents",
            "distinct_in_order",
            "speaker_texts",
            "without_nulls",
            "tagged_lines",
            "tagged_lines_null_text",
            "tagged_lines_of_none",
            "slice_2_3",
            "slice_1_0",
            "slice_3_10",
            "slice_5_6",
            "slice_of_null",
        ],
        [
            (
                ["hotels", "trains", "hotels"],
                ["book", "NONE"],
                ["a", "b", "c"],
                [
                    {"speaker": "user", "text": "hi"},
                    {"speaker": "system", "text": "hello"},
                    {"speaker": "user", "text": None},
                ],
                ["a", "b"],
                "user: hi\nsystem: hello",
                "user: hi\nsystem: hello",
                "",
                ["b", "c"],
                [],
                ["c", "d"],
                [],
                None,
            )
        ],
    ),
    "text_cleaning": (
        ["text_id", "text", "n_words", "comparison", "colon_parts"],
        [
            (1, "Hello, world", 2, "hello, world", [" Hello,\t\tworld \n"]),
            (2, "a b c d", 4, "a b c d", ["a\u00a0b\u2028c\u3000\u3000d"]),
            (3, "\x0bkeep\x0b", 1, "\x0bkeep\x0b", ["\x0bkeep\x0b"]),
            (4, "x\u0085 y", 2, "x\u0085 y", ["x\u0085 y"]),
            (5, "", 0, "", None),
            (6, "", 0, "", [" \t "]),
            # DuckDB's lower: every capital sigma to σ, İ to i (Java's: ς at a word's end, i̇).
            (7, "ΟΔΟΣ İstanbul Straße", 3, "οδοσ istanbul straße", ["ΟΔΟΣ İstanbul Straße"]),
            (8, "one two three", 3, "one two three", ["one  two   three"]),
            (9, "a:b::c:", 1, "a:b::c:", ["a", "b", "", "c", ""]),
        ],
    ),
    "text_cleaning_nfc": (["text_id", "text"], [(10, "Caf\u00e9 cr\u00e8me")]),
    "text_key": {
        # md5("abc") = 900150983cd24fb0d6963f7d28e17f72, md5("abd") = 4911e516e5aa21d3...;
        # DuckDB's md5_number reads the 16 bytes as a little-endian unsigned 128-bit number.
        "duckdb": (
            ["text_id", "text_key", "n_texts_with_key"],
            [
                (100, 152195979970564155685860391459828531600, 2),
                (101, 29856225013299753590434052076718068041, 1),
                (102, 152195979970564155685860391459828531600, 2),
            ],
        ),
        "spark": (
            ["text_id", "text_key", "n_texts_with_key"],
            [
                (100, "900150983cd24fb0d6963f7d28e17f72", 2),
                (101, "4911e516e5aa21d327512e0c8b197616", 1),
                (102, "900150983cd24fb0d6963f7d28e17f72", 2),
            ],
        ),
    },
    "keys": (
        [
            "text_id",
            "split_key",
            "derived_split",
            "hex_ffffffff",
            "hex_0000000a",
            "hex_15_digits",
            "record_id",
            "language",
            "split",
        ],
        [
            (
                text_id,
                key,
                split,
                4294967295,
                10,
                1152921504606846975,
                f"sgd:train:en:{text_id}",
                "zh",
                "validation",
            )
            for text_id, key, split in [
                (200, "msre2e:movie:1", "train"),
                (201, "msre2e:movie:7", "validation"),
                (202, "msre2e:movie:13", "test"),
                (203, "msre2e:movie:15", "test"),
                (204, "msre2e:movie:20", "train"),
            ]
        ],
    ),
}

# The near-duplicate macros (minhash.sql, minhash_spark.sql) and sql_string.
EXPECTED |= {
    # The normal forms of near_duplicate_normal_form below, the empty one filtered out.
    "computed_once": (
        ["text_id", "normal_form"],
        [
            (300, "book a table for 2"),
            (301, "id like it dont you"),
            (302, "its quoted οδοσ izmir"),
            (303, "hola qué tal 3½ días"),
        ],
    ),
    # book is active in three frames (trains, hotels twice), find only in a frame without a
    # service; NONE and null frame intents are no intent's.
    "intents_with_services": (
        ["turn_id", "intents"],
        [
            (
                1,
                [
                    {"intent": "book", "services": ["hotels", "trains"]},
                    {"intent": "find", "services": []},
                ],
            ),
            (2, None),
        ],
    ),
    "near_duplicate_normal_form": (
        ["text_id", "normal_form"],
        [
            (300, "book a table for 2"),
            (301, "id like it dont you"),
            (302, "its quoted οδοσ izmir"),
            (303, "hola qué tal 3½ días"),
            (304, ""),
        ],
    ),
    "word_ngram_hashes": (
        ["text_a", "text_b", "n_ngrams_a", "n_shared", "jaccard"],
        [
            (310, 311, 3, 2, 0.5),
            (310, 312, 3, 1, 0.25),
            (310, 313, 3, 0, 0.0),
            (310, 314, 3, 3, 1.0),
            (311, 312, 3, 1, 0.25),
            (311, 313, 3, 0, 0.0),
            (311, 314, 3, 2, 0.5),
            (312, 313, 2, 0, 0.0),
            (312, 314, 2, 1, 0.25),
            (313, 314, 1, 0, 0.0),
        ],
    ),
    # 3 + 3 + 2 + 1 + 3 hashes of 6 n-grams: a b, b c, c d, c e, b a, solo.
    "ngram_hash_values": (
        ["n_hashes", "n_distinct_hashes", "all_non_negative", "inputs_non_negative"],
        [(12, 6, True, True)],
    ),
    "bucket_key": (
        ["same_values_same_key", "swapped_values_same_key", "other_values_same_key"],
        [(True, False, False)],
    ),
    "sql_string": (["quoted", "nothing"], [("it's a \\back\\slash", None)]),
    # Each component labelled by its smallest node.
    "connected_components": (
        ["node", "component"],
        [(1, 1), (2, 2), (3, 2), (4, 1), (5, 1), (6, 2), (7, 7), (8, 7), (9, 1)],
    ),
}

# Engines: DuckDB, and Spark with ANSI mode on (Spark 4's default) and off.
ENGINES = ["duckdb", "spark_ansi", "spark_legacy"]


def _macro_names(pattern: str) -> set[str]:
    """Names matched by pattern in the project's macro files."""
    return {name for path in MACROS.glob("*.sql") for name in re.findall(pattern, path.read_text())}


def _dispatched_macros() -> set[str]:
    return _macro_names(r"adapter\.dispatch\('(\w+)'")


def _spark_implementations() -> set[str]:
    """The project's own dispatched macros with a spark__ version (not dbt's it overrides)."""
    return _macro_names(r"\{%-?\s*macro\s+spark__(\w+)\s*\(") - set(DBT_MACRO_OVERRIDES)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The fixture project's models compiled by dbt for each target: {target: {model: sql}}."""
    from dbt.cli.main import dbtRunner

    work = tmp_path_factory.mktemp("spark_macro_parity")
    project = work / "project"
    shutil.copytree(FIXTURE_PROJECT, project)
    # The project's macros by absolute path, and stubs for the ones not on Spark yet (dbt
    # resolves every dispatched macro for the target when it parses, called or not).
    settings = project / "dbt_project.yml"
    settings.write_text(
        settings.read_text().replace('["../../macros"]', f'["{MACROS}", "pending_on_spark"]')
    )
    (project / "pending_on_spark").mkdir()
    (project / "pending_on_spark" / "pending.sql").write_text(
        "".join(
            f"{{% macro spark__{name}() %}}"
            f"{{{{ exceptions.raise_compiler_error('{name}: no Spark implementation yet') }}}}"
            "{{ varargs }}{% endmacro %}\n"
            for name in sorted(_dispatched_macros() - _spark_implementations())
        )
    )
    sql = {}
    for target in ["duckdb", "spark"]:
        result = dbtRunner().invoke(
            [
                "compile",
                "--project-dir", str(project),
                "--profiles-dir", str(project),
                "--target", target,
                "--target-path", str(work / f"target_{target}"),
                "--log-path", str(work / "logs"),
                "--no-partial-parse",
                "--no-populate-cache",
                "--no-send-anonymous-usage-stats",
                "--no-version-check",
                "--quiet",
            ]
        )  # fmt: skip
        assert result.success, f"dbt compile --target {target} failed: {result.exception}"
        sql[target] = {run.node.name: run.node.compiled_code for run in result.result.results}
    return sql


@pytest.fixture(scope="module")
def duckdb_connection():
    """An in-memory DuckDB holding the input tables."""
    import duckdb

    connection = duckdb.connect()
    types = {"int": "integer", "string": "varchar"}
    for table, (columns, rows) in INPUTS.items():
        connection.execute(
            f"create table {table} ({', '.join(f'{name} {types[kind]}' for name, kind in columns)})"
        )
        connection.executemany(
            f"insert into {table} values ({', '.join('?' for _ in columns)})", rows
        )
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local Spark session for the module (it takes 7-30 s to start), holding the inputs
    as temporary views; no Hive metastore, nothing written outside the temporary folder."""
    session = local_spark_session(tmp_path_factory.mktemp("spark"), "test_spark_macros")
    for table, (columns, rows) in INPUTS.items():
        schema = ", ".join(f"{name} {kind}" for name, kind in columns)
        session.createDataFrame(rows, schema).createOrReplaceTempView(table)
    yield session
    session.stop()


def _plain(value):
    """A query result value as plain Python: structs as dicts, lists as lists."""
    from pyspark.sql import Row

    if isinstance(value, Row):
        return {key: _plain(item) for key, item in value.asDict().items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _run(engine: str, sql: str, duckdb_connection, spark) -> tuple[list[str], list[tuple]]:
    """Columns and rows of the query on one engine."""
    if engine == "duckdb":
        relation = duckdb_connection.sql(sql)
        return relation.columns, [
            tuple(_plain(value) for value in row) for row in relation.fetchall()
        ]
    spark.conf.set("spark.sql.ansi.enabled", "true" if engine == "spark_ansi" else "false")
    frame = spark.sql(sql)
    return frame.columns, [tuple(_plain(value) for value in row) for row in frame.collect()]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_macro_gives_the_expected_rows(model, engine, compiled, duckdb_connection, spark):
    """The model's compiled SQL for the engine gives exactly the hand-computed rows."""
    target = "duckdb" if engine == "duckdb" else "spark"
    expected = EXPECTED[model]
    columns, rows = expected[target] if isinstance(expected, dict) else expected
    got_columns, got_rows = _run(engine, compiled[target][model], duckdb_connection, spark)
    assert got_columns == columns
    assert got_rows == rows


@pytest.mark.parametrize("engine", ENGINES)
def test_connected_components_past_its_rounds(engine, compiled, duckdb_connection, spark):
    """A path longer than the rounds Spark's version is given (3 here) is one component on
    DuckDB; on Spark the check after the last round raises, naming the var to raise."""
    target = "duckdb" if engine == "duckdb" else "spark"
    sql = compiled[target]["connected_components_long_path"]
    if engine == "duckdb":
        _, rows = _run(engine, sql, duckdb_connection, spark)
        assert rows == [(node, 1) for node in range(1, 7)]
    else:
        with pytest.raises(Exception, match="spark_connected_components_rounds"):
            _run(engine, sql, duckdb_connection, spark)


def test_spark_sql_differs_where_the_traps_are(compiled):
    """The Spark SQL avoids the DuckDB constructs that Spark reads otherwise or not at all."""
    spark_sql = "\n".join(compiled["spark"].values())
    duckdb_sql = "\n".join(compiled["duckdb"].values())
    for duckdb_only in [
        "generate_subscripts",
        "list_sort",
        "md5_number",
        "varchar",
        "'g')",
        "len(",
    ]:
        assert duckdb_only in duckdb_sql
        assert duckdb_only not in spark_sql
    for spark_form in ["posexplode(", "try_element_at(", "conv(", "array_sort(", "array_size("]:
        assert spark_form in spark_sql


def test_every_dispatched_macro_is_on_spark_or_pending():
    """Each macro behind adapter.dispatch has a spark__ implementation and a parity model, or is
    listed as pending with the reason; a new one must do one or the other."""
    dispatched = _dispatched_macros()
    implemented = _spark_implementations()
    assert implemented <= dispatched
    missing = dispatched - implemented - set(PENDING_ON_SPARK)
    assert not missing, (
        f"dispatched macros without a spark__ implementation: {sorted(missing)}; write one "
        "(and a model in tests/spark_project/models) or list it in PENDING_ON_SPARK"
    )
    models = "\n".join(path.read_text() for path in (FIXTURE_PROJECT / "models").glob("*.sql"))
    untested = {
        name for name in implemented - set(FULL_BUILD_ONLY) if not re.search(rf"\b{name}\(", models)
    }
    assert not untested, f"spark__ macros no parity model calls: {sorted(untested)}"


def test_java_runs():
    """The JVM Spark starts is a working Java (17 or later, as pyspark 4 needs)."""
    version = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    major = re.search(r'version "(\d+)', version.stderr)
    assert major and int(major.group(1)) >= 17, version.stderr
