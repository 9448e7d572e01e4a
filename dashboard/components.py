"""Page elements every page shares: the sidebar filters, number formats, missing-table notes."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from dashboard import charts, queries

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def number(value) -> str:
    """A count as the dashboard shows it: 12,345; a dash where it is unknown."""
    return "–" if value is None or pd.isna(value) else f"{int(value):,}"


def mean(value) -> str:
    """A mean as the dashboard shows it: one decimal, 0.0 where there is nothing to average."""
    return f"{value or 0:.1f}"


def metric_row(metrics: dict[str, object]) -> None:
    """A row of st.metric figures, one equal column per label and the value shown for it."""
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
        column.metric(label, value)


def totals_row(totals: dict, counts: dict[str, str], means: dict[str, str]) -> None:
    """A page's totals as a metric_row: label -> key in totals, the counts then the means."""
    metric_row(
        {label: number(totals[key]) for label, key in counts.items()}
        | {label: mean(totals[key]) for label, key in means.items()}
    )


def sidebar_filters(options: pd.DataFrame, key: str) -> queries.Filters:
    """Dataset, split and locale multiselects in the sidebar; nothing selected means all."""
    st.sidebar.markdown("**Filters** (empty = all)")

    def choose(column: str, label: str, narrowed: pd.DataFrame) -> tuple[str, ...]:
        values = sorted(narrowed[column].dropna().unique()) if not narrowed.empty else []
        chosen = st.sidebar.multiselect(label, values, key=f"{key}_{column}")
        return tuple(chosen)

    datasets = choose("dataset", "Dataset", options)
    narrowed = options[options["dataset"].isin(datasets)] if datasets else options
    splits = choose("split", "Split", narrowed)
    narrowed = narrowed[narrowed["split"].isin(splits)] if splits else narrowed
    locales = choose("locale", "Locale", narrowed)
    return queries.Filters(datasets, splits, locales)


def require(*relations: str) -> bool:
    """True when every relation is in the warehouse; otherwise say which are missing."""
    missing = [name for name in relations if not queries.has_relation(name)]
    if missing:
        st.info(
            f"Not in the warehouse yet: {', '.join(missing)}. Rebuild it "
            "(`python run_pipeline.py --skip-ingest`, or the Build page) to add them."
        )
    return not missing


def warehouse_caption() -> None:
    """Where the data comes from and when that file was written."""
    version = queries.warehouse_version()
    if version is not None:
        st.caption(
            f"Warehouse `{version.path}` (read-only), built "
            f"{version.modified_at:%Y-%m-%d %H:%M:%S} UTC."
        )


def plain(text: str) -> str:
    """Text escaped for st.markdown, so utterances show as written, not as Markdown."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def text_table(place, frame: pd.DataFrame, text_columns: list[str]) -> None:
    """A sample table with its text columns first and wide (a cell's whole text shows when it
    is clicked), the ids and positions after them."""
    texts = [column for column in text_columns if column in frame.columns]
    ordered = frame[texts + [column for column in frame.columns if column not in texts]]
    place.dataframe(
        ordered,
        hide_index=True,
        column_config={
            column: st.column_config.TextColumn(column.replace("_", " "), width="large")
            for column in texts
        },
    )


def figure_or_chart(place, frame: pd.DataFrame, category: str, value: str, label: str, chart):
    """One category: its figure as a metric (a chart of one bar says less); else the chart."""
    categories = frame[category].dropna().unique() if not frame.empty else []
    if len(categories) == 1:
        place.metric(f"{label} ({categories[0]})", number(frame[value].sum()))
    else:
        draw(place, chart)


def draw(place, chart) -> None:
    """Draw an Altair chart at full width in `place`, or say that it has nothing to draw."""
    if charts.has_no_rows(chart):
        place.info(f"{charts.title_of(chart)}: nothing to draw for this selection.")
    else:
        place.altair_chart(chart, width="content" if charts.is_faceted(chart) else "stretch")
