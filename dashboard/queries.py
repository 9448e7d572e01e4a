"""Read-only queries on the warehouse, cached; every value from the user is a parameter.

The connection is opened read-only and cached per warehouse file version (path, mtime, size):
the pipeline builds into a temporary file and renames it over the warehouse on success, so a
running dashboard keeps reading the old file until the new one lands, then reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from warehouse import config

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLE_LIMIT = 200
CATALOG = "warehouse"

# The relations the dashboard reads, checked before a page queries them.
PRETRAIN_METRICS = "pretrain_metrics"
PAIR_METRICS = "pair_metrics"
DOWNSTREAM_METRICS = "downstream_metrics"
EMBEDDER_SCORES = "embedder_scores"


def warehouse_path() -> Path:
    """The warehouse file, as every entry point finds it (warehouse.config)."""
    return config.paths().warehouse


def docs_site() -> Path | None:
    """The dbt docs site the last build wrote into the data folder, if there is one."""
    site = config.paths().docs_dir
    return site if (site / "index.html").is_file() else None


@dataclass(frozen=True)
class WarehouseVersion:
    """One state of the warehouse file: a new build gives a new version (and a new cache)."""

    path: str
    modified_ns: int
    size: int

    @property
    def modified_at(self) -> datetime:
        return datetime.fromtimestamp(self.modified_ns / 1e9, tz=UTC)


def warehouse_version() -> WarehouseVersion | None:
    """The current version of the warehouse file, or None when there is none yet."""
    path = warehouse_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return WarehouseVersion(str(path), stat.st_mtime_ns, stat.st_size)


@st.cache_resource(max_entries=4, on_release=lambda connection: connection.close())
def _connection(version: WarehouseVersion) -> duckdb.DuckDBPyConnection:
    # Attached to an in-memory database rather than opened with duckdb.connect(path): DuckDB
    # shares one instance per path within a process, so after the pipeline renamed a new file
    # over the warehouse, connect(path) would hand back the old, still open file.
    connection = duckdb.connect()
    connection.execute(f"attach ? as {CATALOG} (read_only)", [version.path])
    return connection


# The marts of the three products: a warehouse without one of them was built by an older
# version of the project, or is another database. (A warehouse without build results is
# shown: the Data quality page says the results are missing.)
REQUIRED_RELATIONS = (
    "main.turns",
    "main.dialogues",
    "main.utterance_pairs",
    "main.intent_examples",
    "main.dialogue_intent_examples",
)
REBUILD_HINT = (
    "Build it again with `python run_pipeline.py` (see the README), or point "
    "`DW_WAREHOUSE_PATH` at a warehouse file."
)
# The pipeline refuses to replace a folder or a file that is not a DuckDB database.
MOVE_AWAY_HINT = (
    "Move it away (the pipeline never overwrites what is not a DuckDB database) and build with "
    "`python run_pipeline.py` (see the README), or point `DW_WAREHOUSE_PATH` at a warehouse file."
)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:300]


def warehouse_problem() -> str | None:
    """Why the warehouse file cannot be shown, in a sentence, or None when it can (or when
    there is no file yet: the Build page says so). Not cached: a lock may go away."""
    version = warehouse_version()
    if version is None:
        return None
    path = Path(version.path)
    if path.is_dir():
        return f"`{path}` is a folder, not a warehouse file. {MOVE_AWAY_HINT}"
    if version.size == 0:
        return f"`{path}` is an empty file (0 bytes), not a warehouse. {REBUILD_HINT}"
    try:
        with duckdb.connect() as probe:
            probe.execute("attach ? as probe (read_only)", [str(path)])
            present = {
                f"{schema}.{name}"
                for schema, name in probe.execute(
                    "select table_schema, table_name from information_schema.tables "
                    "where table_catalog = 'probe'"
                ).fetchall()
            }
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            return (
                f"`{path}` is locked by another process that has it open for writing (a "
                "pipeline or `dbt` run writing in place, or a DuckDB shell). The dashboard "
                f"reads it again once that process lets go. DuckDB said: {_one_line(error)}"
            )
        return (
            f"`{path}` is not a DuckDB database this version of DuckDB can read: "
            f"{_one_line(error)}. {MOVE_AWAY_HINT}"
        )
    if not present:
        return f"`{path}` holds no tables: it is not a built warehouse. {REBUILD_HINT}"
    missing = [relation for relation in REQUIRED_RELATIONS if relation not in present]
    if missing:
        return (
            f"`{path}` lacks {', '.join(missing)}: it was built by an older version of this "
            f"project, or is another database. {REBUILD_HINT}"
        )
    return None


@st.cache_data(max_entries=512, show_spinner=False)
def _query(version: WarehouseVersion, sql: str, parameters: tuple) -> pd.DataFrame:
    # A cursor per query: sessions run in their own threads, a cursor is safe in each.
    with _connection(version).cursor() as cursor:
        cursor.execute(f"use {CATALOG}")
        return cursor.execute(sql, list(parameters)).df()


def query(sql: str, parameters: tuple = ()) -> pd.DataFrame:
    """Rows of a query on the current warehouse, as a DataFrame (empty without a warehouse)."""
    version = warehouse_version()
    if version is None:
        return pd.DataFrame()
    return _query(version, sql, tuple(parameters))


def scalar(sql: str, parameters: tuple = ()):
    """The single value a query returns (None for no row)."""
    frame = query(sql, parameters)
    return None if frame.empty else frame.iat[0, 0]


def existing_relations() -> frozenset[str]:
    """Names of the tables and views in the warehouse's main schema."""
    frame = query(
        "select table_name from information_schema.tables "
        f"where table_catalog = '{CATALOG}' and table_schema = 'main'"
    )
    return frozenset(frame["table_name"]) if not frame.empty else frozenset()


def has_relation(name: str) -> bool:
    return name in existing_relations()


def query_if_present(relation: str, sql: str, parameters: tuple = ()) -> pd.DataFrame:
    """query(sql, parameters), or an empty DataFrame where the warehouse has no such relation
    (one built before the relation was added)."""
    if not has_relation(relation):
        return pd.DataFrame()
    return query(sql, parameters)


@dataclass(frozen=True)
class Filters:
    """The sidebar's selection; an empty tuple selects everything."""

    datasets: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()

    def where(self, prefix: str = "") -> tuple[str, tuple]:
        """A `where` clause over dataset, split and locale, with its parameters."""
        clauses, parameters = ["true"], []
        for column, values in (
            ("dataset", self.datasets),
            ("split", self.splits),
            ("locale", self.locales),
        ):
            if values:
                clauses.append(f"list_contains(?, {prefix}{column})")
                parameters.append(list(values))
        return "where " + " and ".join(clauses), tuple(parameters)


def filter_options(relation: str, table_name: str | None = None) -> pd.DataFrame:
    """Distinct dataset, split and locale of a metrics relation, to fill the filters."""
    if not has_relation(relation):
        return pd.DataFrame(columns=["dataset", "split", "locale"])
    if table_name is None:
        return query(f"select distinct dataset, split, locale from {relation} order by all")
    return query(
        f"select distinct dataset, split, locale from {relation} where table_name = ? order by all",
        (table_name,),
    )


def quality_filter_options() -> pd.DataFrame:
    """Datasets, splits and locales of the rejected records and the ingested sources."""
    parts = [
        f"select distinct dataset, split, locale from {relation}"
        for relation in ("rejected_record_counts", PRETRAIN_METRICS, DOWNSTREAM_METRICS)
        if has_relation(relation)
    ]
    if not parts:
        return pd.DataFrame(columns=["dataset", "split", "locale"])
    return query(" union ".join(parts) + " order by all")


# Overview ---------------------------------------------------------------------------------


def headline_figures() -> dict[str, int | None]:
    """Headline counts of the three tables (None where a metrics table is missing)."""
    relations = existing_relations()
    figures: dict[str, int | None] = dict.fromkeys(
        [
            "dialogues",
            "utterances",
            "pretrain_datasets",
            "pairs",
            "pair_datasets",
            "examples",
            "labels",
            "languages",
            "downstream_datasets",
        ]
    )
    if PRETRAIN_METRICS in relations:
        row = query(
            "select sum(n_dialogues), sum(n_turns), count(distinct dataset) from pretrain_metrics"
        ).iloc[0]
        figures.update(dialogues=row.iloc[0], utterances=row.iloc[1], pretrain_datasets=row.iloc[2])
    if PAIR_METRICS in relations:
        row = query("select sum(n_pairs), count(distinct dataset) from pair_metrics").iloc[0]
        figures.update(pairs=row.iloc[0], pair_datasets=row.iloc[1])
    if "downstream_label_distribution" in relations and DOWNSTREAM_METRICS in relations:
        figures["examples"] = scalar(
            "select sum(n_examples) from downstream_metrics where table_name = 'intent_examples'"
        )
        figures["labels"] = scalar(
            "select count(*) from (select distinct dataset, label from "
            "downstream_label_distribution where table_name = 'intent_examples')"
        )
        figures["languages"] = scalar(
            "select count(distinct language) from downstream_metrics "
            "where table_name = 'intent_examples'"
        )
        figures["downstream_datasets"] = scalar(
            "select count(distinct dataset) from downstream_metrics "
            "where table_name = 'intent_examples'"
        )
    return {key: None if pd.isna(value) else int(value) for key, value in figures.items()}


def dialogues_by_dataset() -> pd.DataFrame:
    return query(
        "select dataset, split, sum(n_dialogues) as n_dialogues, sum(n_turns) as n_turns "
        "from pretrain_metrics group by dataset, split order by dataset, split"
    )


def pairs_by_dataset() -> pd.DataFrame:
    return query(
        "select dataset, pair_type, sum(n_pairs) as n_pairs from pair_metrics "
        "group by dataset, pair_type order by dataset, pair_type"
    )


def examples_by_dataset() -> pd.DataFrame:
    return query(
        "select dataset, split, sum(n_examples) as n_examples from downstream_metrics "
        "where table_name = 'intent_examples' group by dataset, split order by dataset, split"
    )


def source_freshness() -> pd.DataFrame:
    """Per dataset: when it was last ingested and whether every upstream file is in."""
    return query_if_present(
        "source_completeness",
        "select dataset, max(last_ingested_at) as last_ingested_at, "
        "cast(sum(n_files_ingested) as bigint) as n_files_ingested, "
        "cast(sum(n_files_missing) as bigint) as n_files_missing, "
        "bool_and(is_complete) as is_complete, bool_and(is_verified_complete) as is_verified "
        "from source_completeness group by dataset order by dataset",
    )


# Pre-training corpus ----------------------------------------------------------------------


def pretrain_metrics(filters: Filters) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        f"select * from pretrain_metrics {where} order by dataset, split, locale", parameters
    )


def pretrain_totals(filters: Filters) -> dict[str, float]:
    """Counts and mean lengths over the selection."""
    where, parameters = filters.where()
    frame = query(
        "select count(distinct dataset) as datasets, coalesce(sum(n_dialogues), 0) as dialogues, "
        "coalesce(sum(n_turns), 0) as utterances, coalesce(sum(n_words), 0) as words, "
        "sum(n_turns) / nullif(sum(n_dialogues), 0) as turns_per_dialogue, "
        "sum(n_words) / nullif(sum(n_turns), 0) as words_per_utterance, "
        "coalesce(sum(n_rejected_utterances), 0) as rejected_utterances "
        f"from pretrain_metrics {where}",
        parameters,
    )
    return frame.iloc[0].to_dict()


def length_histogram(table_name: str, filters: Filters) -> pd.DataFrame:
    """One length histogram summed over the selection, per dataset."""
    where, parameters = filters.where()
    return query(
        "select dataset, bin_lower, bin_upper, sum(n_records) as n_records "
        f"from length_histograms {where} and table_name = ? "
        "group by dataset, bin_lower, bin_upper order by dataset, bin_lower",
        (*parameters, table_name),
    )


def top_words(
    table_name: str, dataset: str, locale: str, limit: int = 25, stop_words: bool = False
) -> pd.DataFrame:
    """The most frequent words, ranked among content words only unless stop_words."""
    rank = "word_rank" if stop_words else "content_word_rank"
    return query(
        f"select {rank} as word_rank, word, is_stop_word, n_occurrences, share_of_words "
        f"from top_words where table_name = ? and dataset = ? and locale = ? and {rank} <= ? "
        f"order by {rank}",
        (table_name, dataset, locale, limit),
    )


def top_words_groups(table_name: str, filters: Filters) -> pd.DataFrame:
    """The (dataset, locale) pairs that have top words, within the selection."""
    if not has_relation("top_words"):
        return pd.DataFrame(columns=["dataset", "locale"])
    where, parameters = Filters(filters.datasets, (), filters.locales).where()
    return query(
        f"select distinct dataset, locale from top_words {where} and table_name = ? "
        "order by dataset, locale",
        (*parameters, table_name),
    )


# Pairs ------------------------------------------------------------------------------------


def pair_metrics(filters: Filters) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        f"select * from pair_metrics {where} order by dataset, split, locale, pair_type",
        parameters,
    )


def pair_totals(filters: Filters) -> dict[str, float]:
    """Pairs per type and mean lengths over the selection."""
    where, parameters = filters.where()
    frame = query(
        "select coalesce(sum(n_pairs), 0) as pairs, "
        "coalesce(sum(n_pairs) filter (where pair_type = 'next_turn'), 0) as next_turn, "
        "coalesce(sum(n_pairs) filter (where pair_type = 'context_response'), 0) "
        "as context_response, count(distinct dataset) as datasets, "
        "sum(mean_anchor_words * n_pairs) / nullif(sum(n_pairs), 0) as anchor_words, "
        "sum(mean_positive_words * n_pairs) / nullif(sum(n_pairs), 0) as positive_words "
        f"from pair_metrics {where}",
        parameters,
    )
    return frame.iloc[0].to_dict()


def pair_length_histogram(filters: Filters, pair_types: tuple[str, ...]) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        "select pair_type, side, bin_lower, bin_upper, sum(n_pairs) as n_pairs "
        f"from pair_length_histograms {where} and list_contains(?, pair_type) "
        "group by pair_type, side, bin_lower, bin_upper order by pair_type, side, bin_lower",
        (*parameters, list(pair_types)),
    )


def pair_filter_steps(filters: Filters) -> pd.DataFrame:
    """Pairs remaining after each filter step, summed over the selection (no locale there)."""
    where, parameters = Filters(filters.datasets, filters.splits).where()
    return query_if_present(
        "pair_filter_steps",
        "select pair_type, step_order, step, sum(n_removed) as n_removed, "
        f"sum(n_remaining) as n_remaining from pair_filter_steps {where} "
        "group by pair_type, step_order, step order by pair_type, step_order",
        parameters,
    )


def sample_pairs(filters: Filters, pair_type: str, limit: int = 20) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        "select dataset, split, locale, dialogue_id, anchor_turn_index, positive_turn_index, "
        "anchor_speaker, positive_speaker, anchor_text, positive_text "
        f"from utterance_pairs {where} and pair_type = ? order by pair_id limit ?",
        (*parameters, pair_type, limit),
    )


# Downstream -------------------------------------------------------------------------------


def downstream_metrics(filters: Filters, table_name: str) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        f"select * from downstream_metrics {where} and table_name = ? "
        "order by dataset, split, locale",
        (*parameters, table_name),
    )


def downstream_tables_with_rows() -> list[str]:
    """The downstream tables (intent_examples, dialogue_intent_examples) that have examples."""
    frame = query(
        "select table_name from downstream_metrics group by table_name having sum(n_examples) > 0"
    )
    return list(frame["table_name"]) if not frame.empty else []


def downstream_totals(filters: Filters, table_name: str) -> dict[str, float]:
    """Examples, labels (distinct per dataset), languages over the selection."""
    where, parameters = filters.where()
    examples = query(
        "select coalesce(sum(n_examples), 0) as examples, count(distinct dataset) as datasets, "
        "count(distinct language) as languages, count(distinct locale) as locales, "
        "sum(mean_words_per_example * n_examples) / nullif(sum(n_examples), 0) "
        "as words_per_example "
        f"from downstream_metrics {where} and table_name = ?",
        (*parameters, table_name),
    )
    labels = scalar(
        "select count(*) from (select distinct dataset, label from "
        f"downstream_label_distribution {where} and table_name = ?)",
        (*parameters, table_name),
    )
    return {**examples.iloc[0].to_dict(), "labels": labels}


def examples_by_language(filters: Filters, table_name: str) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        "select language, split, sum(n_examples) as n_examples from downstream_metrics "
        f"{where} and table_name = ? group by language, split order by language, split",
        (*parameters, table_name),
    )


def label_distribution(table_name: str, dataset: str, filters: Filters) -> pd.DataFrame:
    """Examples per label of one dataset, summed over the selected splits and locales."""
    where, parameters = Filters((dataset,), filters.splits, filters.locales).where()
    return query(
        "select label, split, sum(n_examples) as n_examples "
        f"from downstream_label_distribution {where} and table_name = ? "
        "group by label, split order by label, split",
        (*parameters, table_name),
    )


# Data quality -----------------------------------------------------------------------------


def published_comparison(filters: Filters) -> pd.DataFrame:
    """Published figures next to measured ones, for the selected datasets."""
    where, parameters = Filters(filters.datasets).where()
    return query_if_present(
        "published_statistics_comparison",
        "select dataset, split, locale, statistic, published_value, measured_value, difference, "
        "is_reproduced, is_source_complete, is_source_verified, published_in "
        f"from published_statistics_comparison {where} "
        "order by is_reproduced, dataset, statistic, split, locale",
        parameters,
    )


def rejected_counts(filters: Filters) -> pd.DataFrame:
    where, parameters = filters.where()
    return query_if_present(
        "rejected_record_counts",
        "select dataset, record_level, rejection_reason, sum(n_records) as n_records "
        f"from rejected_record_counts {where} "
        "group by dataset, record_level, rejection_reason order by dataset, record_level",
        parameters,
    )


def rejected_samples(filters: Filters, limit: int = 50) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        "select rejected_record_id, dataset, split, locale, record_level, rejection_reason, "
        "source_path, source_turn_index, upstream_speaker, raw_text "
        f"from rejected_records {where} order by rejected_record_id limit ?",
        (*parameters, limit),
    )


def source_completeness(filters: Filters) -> pd.DataFrame:
    where, parameters = Filters(filters.datasets).where()
    return query_if_present(
        "source_completeness",
        f"select * from source_completeness {where} order by is_complete, dataset, split",
        parameters,
    )


# Explorer ---------------------------------------------------------------------------------


def dialogue(dialogue_id: str) -> pd.DataFrame:
    """One dialogue's header row (empty if there is no such dialogue)."""
    return query(
        "select dialogue_id, dataset, split, split_source, locale, source_dialogue_id, "
        "source_path, services, n_turns, n_user_turns, n_system_turns, n_rejected_utterances "
        "from dialogues where dialogue_id = ?",
        (dialogue_id,),
    )


def dialogue_turns(dialogue_id: str) -> pd.DataFrame:
    return query(
        "select turn_index, speaker, text, n_words, "
        "coalesce(array_to_string(intents, ', '), '') as intents, "
        "coalesce(array_to_string(services, ', '), '') as services from turns "
        "where dialogue_id = ? order by turn_index",
        (dialogue_id,),
    )


def search_turns(text: str, filters: Filters, limit: int = SAMPLE_LIMIT) -> pd.DataFrame:
    """Utterances containing the text (case-insensitive), at most `limit`."""
    where, parameters = filters.where()
    return query(
        "select dialogue_id, turn_index, speaker, text from turns "
        f"{where} and contains(lower(text), lower(?)) order by dialogue_id, turn_index limit ?",
        (*parameters, text, limit),
    )


def first_dialogue_ids(filters: Filters, limit: int = 20) -> pd.DataFrame:
    where, parameters = filters.where()
    return query(
        f"select dialogue_id from dialogues {where} order by dialogue_id limit ?",
        (*parameters, limit),
    )


def intent_labels(dataset: str) -> pd.DataFrame:
    return query(
        "select label, count(*) as n_examples from intent_examples where dataset = ? "
        "group by label order by label",
        (dataset,),
    )


def intent_datasets() -> list[str]:
    frame = query("select distinct dataset from intent_examples order by dataset")
    return list(frame["dataset"]) if not frame.empty else []


def label_examples(
    dataset: str, label: str, filters: Filters, limit: int = SAMPLE_LIMIT
) -> pd.DataFrame:
    where, parameters = Filters((dataset,), filters.splits, filters.locales).where()
    return query(
        "select example_id, split, locale, text, scenario from intent_examples "
        f"{where} and label = ? order by example_id limit ?",
        (*parameters, label, limit),
    )


# Models -----------------------------------------------------------------------------------


def embedder_scores() -> pd.DataFrame:
    """Every evaluation run's scores, in percent (empty when the table is missing or empty)."""
    return query_if_present(
        EMBEDDER_SCORES,
        "select run_id, model, model_revision, base_model, value_percent, dataset, locale, task, "
        "metric, n_examples, parameters, started_at, seconds from embedder_scores "
        "order by task, metric, dataset, locale, model, started_at",
    )


def latest_embedder_scores() -> pd.DataFrame:
    """Per model, revision, dataset, locale, task and metric, the score of the newest run (the
    mart's is_latest_run), in percent, with the model the scored one was fine-tuned from
    (base_model, or null) and the mart's model_label."""
    return query_if_present(
        EMBEDDER_SCORES,
        """
        select
            model, model_revision, model_label, base_model, value_percent,
            dataset, locale, task, metric, value, n_examples, run_id, started_at
        from embedder_scores
        where is_latest_run
        order by task, metric, dataset, locale, model
        """,
    )


# dbt test results -------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _run_results(version: WarehouseVersion):
    from dashboard import dbt_results

    with _connection(version).cursor() as cursor:
        cursor.execute(f"use {CATALOG}")
        return dbt_results.read(cursor, version.path)


def run_results():
    """The dbt results of the build that made the warehouse on display (dbt_results.RunResults),
    or None where there is no warehouse or it records no build."""
    version = warehouse_version()
    if version is None:
        return None
    return _run_results(version)


def last_ingested_at():
    """When the newest upstream file was ingested (None without source_completeness)."""
    if not has_relation("source_completeness"):
        return None
    return scalar("select max(last_ingested_at) from source_completeness")


# Schema drift -----------------------------------------------------------------------------


def schema_drift(filters: Filters) -> pd.DataFrame:
    """What the selected datasets' upstream files held that their parsers did not expect
    (mart schema_drift), one row per file and key; empty where there is none."""
    where, parameters = Filters(filters.datasets).where()
    return query_if_present(
        "schema_drift",
        "select dataset, source_path, drift_key, drift_kind, n_records, n_file_records, "
        f"is_kept_in_extra, finding from schema_drift {where} "
        "order by dataset, source_path, drift_key, drift_kind",
        parameters,
    )
