"""Altair charts of the metrics marts: each function takes a query's DataFrame, returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

STATUS_COLOURS = {
    "pass": "#2e7d32",
    "warn": "#f9a825",
    "fail": "#c62828",
    "error": "#6a1b1b",
    "skipped": "#9e9e9e",
}
SPLIT_ORDER = ["train", "validation", "test"]
# Row labels of horizontal bars: every one shown (Vega would drop those it finds crowded).
ROW_AXIS = alt.Axis(labelOverlap=False, labelLimit=220)


def _bar_height(n_rows: int, per_row: int = 30, minimum: int = 180, maximum: int = 3400) -> int:
    """Height of a horizontal bar chart (title and axis included): a row per bar plus room."""
    return max(minimum, min(maximum, per_row * n_rows + 110))


def _stacked_rows(
    frame: pd.DataFrame, title: str, row: str, per_row: int = 30, **encodings
) -> alt.Chart:
    """Horizontal bars, one per value of `row` (largest first, every label shown, the chart as
    tall as its rows), with the x, colour and tooltip encodings given."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(y=alt.Y(f"{row}:N", title=None, sort="-x", axis=ROW_AXIS), **encodings)
        .properties(height=_bar_height(frame[row].nunique(), per_row=per_row))
    )


def counts_by_dataset(
    frame: pd.DataFrame, value: str, colour: str, title: str, value_title: str
) -> alt.Chart:
    """Horizontal stacked bars: one bar per dataset, stacked by split or pair type."""
    colour_sort = SPLIT_ORDER if colour == "split" else "ascending"
    return _stacked_rows(
        frame,
        title,
        "dataset",
        x=alt.X(f"sum({value}):Q", title=value_title),
        color=alt.Color(f"{colour}:N", sort=colour_sort, title=colour.replace("_", " ")),
        order=alt.Order(f"{colour}:N"),
        tooltip=["dataset", colour, alt.Tooltip(f"sum({value}):Q", format=",")],
    )


def _bin_labels(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A readable label per bin ("4", "4-5", "50+" for the open-ended last bin), and the
    labels in bin order for the x axis."""

    def label(row) -> str:
        if pd.isna(row["bin_upper"]):
            return f"{int(row['bin_lower'])}+"
        if int(row["bin_upper"]) - int(row["bin_lower"]) == 1:
            return str(int(row["bin_lower"]))
        return f"{int(row['bin_lower'])}-{int(row['bin_upper']) - 1}"

    labelled = frame.assign(bin=frame.apply(label, axis=1) if not frame.empty else [])
    order = labelled.drop_duplicates("bin").sort_values("bin_lower")["bin"].tolist()
    return labelled, order


def length_histogram(
    frame: pd.DataFrame, count: str, colour: str, title: str, length_title: str
) -> alt.Chart:
    """Bars per length bin (in bin order), stacked by `colour`."""
    frame, bin_order = _bin_labels(frame)
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("bin:O", sort=bin_order, title=length_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"sum({count}):Q", title=count.replace("n_", "")),
            color=alt.Color(f"{colour}:N", title=colour),
            tooltip=["bin", colour, alt.Tooltip(f"sum({count}):Q", format=",")],
        )
        .properties(height=260)
    )


def grouped_length_histogram(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Pair lengths: anchor and positive side by side per bin, one panel per pair type."""
    frame, bin_order = _bin_labels(frame)
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("bin:O", sort=bin_order, title="words", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("side:N"),
            y=alt.Y("n_pairs:Q", title="pairs"),
            color=alt.Color("side:N", title="side"),
            row=alt.Row("pair_type:N", title=None),
            tooltip=["pair_type", "side", "bin", alt.Tooltip("n_pairs:Q", format=",")],
        )
        # A faceted chart cannot stretch to its container: it gets a width of its own.
        .properties(height=200, width=820)
    )


def summary_ranges(frame: pd.DataFrame, prefix: str, suffix: str, title: str) -> alt.Chart:
    """Per dataset: a bar from median to 95th percentile, a tick at the mean, a dot at the max."""
    columns = {
        f"median_{suffix}": "median",
        f"p95_{suffix}": "p95",
        f"mean_{suffix}": "mean",
        f"max_{suffix}": "max",
    }
    # One row per group, named by dataset, split and locale.
    data = frame.rename(columns=columns).assign(
        group=frame[prefix] + " " + frame["split"] + " " + frame["locale"]
    )
    base = alt.Chart(data, title=title).encode(y=alt.Y("group:N", title=None, axis=ROW_AXIS))
    tooltip = ["group", "mean", "median", "p95", "max"]
    span = base.mark_bar(opacity=0.5, size=10).encode(
        x=alt.X("median:Q", title=suffix.replace("_", " ")), x2="p95:Q", tooltip=tooltip
    )
    mean = base.mark_tick(color="black", thickness=2, size=14).encode(x="mean:Q", tooltip=tooltip)
    maximum = base.mark_point(color="#c62828").encode(x="max:Q", tooltip=tooltip)
    return (span + mean + maximum).properties(height=_bar_height(len(data)))


def top_words(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("word:N", sort="-x", title=None, axis=ROW_AXIS),
            x=alt.X("n_occurrences:Q", title="occurrences"),
            tooltip=[
                "word_rank",
                "word",
                "n_occurrences",
                alt.Tooltip("share_of_words", format=".2%"),
            ],
        )
        .properties(height=_bar_height(len(frame), per_row=22))
    )


def filter_funnel(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Pairs remaining after each filter step, per pair type."""
    steps = frame.drop_duplicates("step").sort_values("step_order")["step"].tolist()
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            # Step names written whole (anchor_equals_positive, duplicate_in_split): no limit.
            x=alt.X("step:N", sort=steps, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=0)),
            xOffset=alt.XOffset("pair_type:N"),
            y=alt.Y("n_remaining:Q", title="pairs remaining"),
            color=alt.Color("pair_type:N", title="pair type"),
            tooltip=["pair_type", "step", alt.Tooltip("n_removed", format=","), "n_remaining"],
        )
        .properties(height=280)
    )


def labels(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Examples per label, stacked by split, labels sorted by size."""
    return _stacked_rows(
        frame,
        title,
        "label",
        per_row=20,
        x=alt.X("sum(n_examples):Q", title="examples"),
        color=alt.Color("split:N", sort=SPLIT_ORDER),
        tooltip=["label", "split", "n_examples"],
    )


def examples_by_language(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("language:N", sort="-y", title="language"),
            y=alt.Y("sum(n_examples):Q", title="examples"),
            color=alt.Color("split:N", sort=SPLIT_ORDER),
            tooltip=["language", "split", alt.Tooltip("sum(n_examples):Q", format=",")],
        )
        .properties(height=260)
    )


def test_statuses(counts: dict[str, int], title: str) -> alt.Chart:
    frame = pd.DataFrame({"status": list(counts), "tests": list(counts.values())})
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("status:N", sort=list(counts), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("tests:Q", title="data tests"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=None,
            ),
            tooltip=["status", "tests"],
        )
        .properties(height=220)
    )


def published_versus_measured(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Each published figure against the measured one (symlog axes: 0 is a figure not
    ingested); on the diagonal means reproduced."""
    data = frame.assign(
        figure=frame["dataset"]
        + " "
        + frame["split"]
        + " "
        + frame["locale"]
        + " "
        + frame["statistic"],
        outcome=frame["is_reproduced"].map({True: "reproduced", False: "differs"}),
    )
    top = float(max(data["published_value"].max(), data["measured_value"].max(), 1))
    # Symlog axes get no ticks between their ends by themselves: one at 0 and each power of ten.
    ticks = [0, *(10**power for power in range(1, len(str(int(top))) + 1))]
    x = alt.X(
        "published_value:Q",
        title="published",
        scale=alt.Scale(type="symlog"),
        axis=alt.Axis(values=ticks, format=","),
    )
    y = alt.Y(
        "measured_value:Q",
        title="measured",
        scale=alt.Scale(type="symlog"),
        axis=alt.Axis(values=ticks, format=","),
    )
    # The diagonal is drawn in the points' own fields, so the layers share one title per axis.
    diagonal = (
        alt.Chart(pd.DataFrame({"published_value": [0.0, top], "measured_value": [0.0, top]}))
        .mark_line(color="#9e9e9e", strokeDash=[4, 4])
        .encode(x=x, y=y)
    )
    points = (
        alt.Chart(data)
        .mark_circle(size=80)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "outcome:N",
                scale=alt.Scale(domain=["reproduced", "differs"], range=["#2e7d32", "#c62828"]),
            ),
            tooltip=["figure", "published_value", "measured_value", "difference", "published_in"],
        )
    )
    return (diagonal + points).properties(title=title, height=420)


def rejected_by_reason(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Rejected records per dataset, stacked by reason."""
    return _stacked_rows(
        frame,
        title,
        "dataset",
        x=alt.X("sum(n_records):Q", title="rejected records"),
        color=alt.Color("rejection_reason:N", title="reason"),
        tooltip=["dataset", "record_level", "rejection_reason", "n_records"],
    )


def has_no_rows(chart) -> bool:
    """True when none of the chart's (or its layers') data frames has a row."""
    frames = [
        part.data
        for part in [chart, *getattr(chart, "layer", [])]
        if isinstance(getattr(part, "data", None), pd.DataFrame)
    ]
    return all(frame.empty for frame in frames)


def is_faceted(chart) -> bool:
    """True for a chart split into rows or columns (drawn at its own width)."""
    encoding = getattr(chart, "encoding", alt.Undefined)
    if encoding is alt.Undefined:
        return False
    return any(
        getattr(encoding, part, alt.Undefined) is not alt.Undefined
        for part in ("row", "column", "facet")
    )


def title_of(chart) -> str:
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    return text if isinstance(text, str) else "Chart"


# Models page ----------------------------------------------------------------------------------

# The scores a person compares models by; the others (f1_weighted, spreads over experiments,
# mrr) are in the page's table of every score.
HEADLINE_METRICS = (
    "accuracy",
    "f1_macro",
    "auroc",
    "fpr_at_95_recall",
    "recall_at_1",
    "recall_at_5",
    "recall_at_10",
)
# Vega draws these charts as SVG, so their labels are text a browser (and its tests) can read.
SVG = {"embedOptions": {"renderer": "svg"}}


def model_order(frame: pd.DataFrame) -> list[str]:
    """Model labels with each fine-tuned model right after its base (the model its base_model
    names), bases and unrelated models in name order."""
    models = frame.drop_duplicates("model_label")[["model_label", "model", "base_model"]]
    models = models.sort_values("model_label")
    ordered: list[str] = []
    for _, row in models[models["base_model"].isna()].iterrows():
        ordered.append(row["model_label"])
        ordered += models.loc[models["base_model"] == row["model"], "model_label"].tolist()
    ordered += [label for label in models["model_label"] if label not in ordered]
    return ordered


def embedder_task_chart(frame: pd.DataFrame, title: str) -> alt.LayerChart:
    """One task: a horizontal bar per model for each dataset (and locale) and metric, models
    grouped side by side in one colour each, the value in percent written at each bar's end."""
    data = frame.assign(
        evaluation=frame["dataset"]
        + frame["locale"].map(lambda locale: f" ({locale}) ")
        + frame["metric"],
        label=frame["value_percent"].map(lambda value: f"{value:.2f}"),
    )
    order = model_order(frame)
    base = alt.Chart(data).encode(
        # Wide enough for a pool's name (camrest676+kvret+sgd+taskmaster4+woz2 (en) map).
        y=alt.Y(
            "evaluation:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=420)
        ),
        yOffset=alt.YOffset("model_label:N", sort=order),
        x=alt.X(
            "value_percent:Q",
            title="score (%)",
            scale=alt.Scale(domain=[0, 112], clamp=True),
            axis=alt.Axis(values=list(range(0, 101, 20))),
        ),
    )
    bars = base.mark_bar(height={"band": 0.9}).encode(
        color=alt.Color(
            "model_label:N",
            title="model @ revision",
            sort=order,
            scale=alt.Scale(scheme="tableau10"),
            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=600),
        ),
        tooltip=[
            "model",
            "model_revision",
            "base_model",
            "dataset",
            "locale",
            "metric",
            alt.Tooltip("value_percent:Q", title="value (%)", format=".2f"),
            "n_examples",
            "run_id",
        ],
    )
    values = base.mark_text(align="left", baseline="middle", dx=4, fontSize=12).encode(
        text="label:N"
    )
    # A fixed step per bar (the y offset's band), so a row fits its models however many.
    return alt.layer(bars, values, title=title).properties(height=alt.Step(22), usermeta=SVG)
