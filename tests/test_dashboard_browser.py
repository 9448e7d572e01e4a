"""The dashboard in a real browser: `streamlit run` on 127.0.0.1, every page in headless Chromium.

Each page must show its heading and its charts drawn (Vega renders each into a canvas or an
SVG inside a [data-testid="stVegaLiteChart"] element), and no exception or error box. A screenshot of each page lands in screenshots/
(gitignored). Skipped only where /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.browser_support import (
    PAGE_SECONDS,
    VIEWPORT,
    free_port,
    launched_chromium,
    new_page,
    open_dashboard_page,
    requires_chromium,
    running_dashboard,
)
from tests.support import DASHBOARD_PAGES, REPO_ROOT

SCREENSHOTS = REPO_ROOT / "screenshots"
# `streamlit run` options of these tests: on 127.0.0.1, opening no browser, sending no statistics
HEADLESS_ON_LOOPBACK = [
    "--server.address",
    "127.0.0.1",
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
]

pytestmark = requires_chromium


def evaluation_charts(warehouse: Path) -> int:
    """The Models page draws one chart per task of embedder_scores."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables where table_name = 'embedder_scores'"
        ).fetchone()[0]
        if not exists:
            return 0
        return connection.execute("select count(distinct task) from embedder_scores").fetchone()[0]


@pytest.fixture(scope="module")
def dashboard_url(fixture_warehouse, tmp_path_factory):
    """`streamlit run dashboard/streamlit_app.py` on a copy of the fixture warehouse."""
    data_dir, _ = fixture_warehouse
    copy = tmp_path_factory.mktemp("dashboard")
    shutil.copy2(data_dir / "warehouse.duckdb", copy / "warehouse.duckdb")
    environment = {
        **os.environ,
        "DW_WAREHOUSE_PATH": str(copy / "warehouse.duckdb"),
    }
    with running_dashboard(
        free_port(), HEADLESS_ON_LOOPBACK, environment, copy / "streamlit.log"
    ) as url:
        yield url, copy / "warehouse.duckdb"


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def screenshot_whole_page(page, path: Path) -> None:
    """The app scrolls inside its main element: grow the window to its height, then shoot."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 120)})
    page.wait_for_timeout(1500)  # charts re-lay out to the new size
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize(("name", "heading", "n_charts"), DASHBOARD_PAGES)
def test_every_page_renders_its_heading_and_charts_in_chromium(
    dashboard_url, browser, name, heading, n_charts, capsys
):
    url, warehouse = dashboard_url
    url_path = "" if name == "overview" else name
    if n_charts is None:
        n_charts = evaluation_charts(warehouse)
    with new_page(browser) as page:
        times = open_dashboard_page(page, f"{url}/{url_path}", heading)
        with capsys.disabled():  # a figure, not an assert: the page's first load in a new tab
            print(f"\n{name}: {times.line()}")
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        drawings = charts.locator("canvas, svg.marks")
        if n_charts:
            drawings.nth(n_charts - 1).wait_for(state="attached", timeout=PAGE_SECONDS * 1000)
        assert charts.count() == n_charts
        assert drawings.count() == n_charts
        for position in range(n_charts):
            drawing = drawings.nth(position)
            drawing.scroll_into_view_if_needed()
            assert drawing.is_visible()
            box = drawing.bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, box
            # Data marks were drawn (Vega groups them as g.role-mark in SVG), not an empty frame.
            if drawing.evaluate("node => node.tagName.toLowerCase()") == "svg":
                assert charts.nth(position).locator("g.role-mark > *").count() > 0
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        SCREENSHOTS.mkdir(exist_ok=True)
        screenshot_whole_page(page, SCREENSHOTS / f"{name}.png")


def test_a_returning_visitor_sees_the_overview_with_its_figures(dashboard_url, browser, capsys):
    """The Overview opened twice in one browser profile, as a returning visitor opens it: the
    second time Streamlit's scripts come from the browser's cache and the page's queries from
    the server's. Both loads show the corpus' dialogue count; their times are printed (a figure,
    not an assert: `python bench/dashboard_pages.py` measures every page on a real warehouse)."""
    url, warehouse = dashboard_url
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        dialogues = connection.execute("select count(*) from dialogues").fetchone()[0]
    visitor = browser.new_context(viewport=VIEWPORT)
    try:
        for visit in ("first", "returning"):
            page = visitor.new_page()
            try:
                times = open_dashboard_page(page, url, "Overview")
                shown = page.locator('[data-testid="stMetric"]').filter(has_text="Dialogues")
                assert shown.first.locator('[data-testid="stMetricValue"]').inner_text() == (
                    f"{dialogues:,}"
                )
            finally:
                page.close()
            with capsys.disabled():
                print(f"\noverview, {visit} visit in one browser profile: {times.line()}")
    finally:
        visitor.close()


def test_data_quality_in_chromium_shows_the_test_counts_dbt_reported(
    dashboard_url, browser, fixture_warehouse
):
    """The counts the page shows (read from the warehouse) are those of dbt's own
    run_results.json of the build that made the warehouse."""
    url, _ = dashboard_url
    data_dir, _ = fixture_warehouse
    results = json.loads((data_dir / "target" / "run_results.json").read_text())["results"]
    counted: dict[str, int] = {}
    for result in results:
        if result["unique_id"].startswith("test."):
            counted[result["status"]] = counted.get(result["status"], 0) + 1
    with new_page(browser) as page:
        open_dashboard_page(page, f"{url}/data_quality", "Data quality")
        shown = page.evaluate(
            """() => Object.fromEntries(
                [...document.querySelectorAll('[data-testid="stMetric"]')].map(metric => [
                    metric.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                    metric.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
                ])
            )"""
        )
    assert counted.get("pass", 0) > 50
    for label, status in (("Passed", "pass"), ("Warned", "warn"), ("Failed", "fail")):
        assert shown[label] == f"{counted.get(status, 0):,}", (label, shown)


# --- the Models page: a fine-tuned model beside its base ------------------------------------------

BASE = "sentence-transformers/all-MiniLM-L6-v2"
TUNED = f"{BASE} fine-tuned (next_turn, 500 steps x 32)"
# (dataset, task, metric): (base, fine-tuned), fractions as the result files hold them
COMPARED_SCORES = {
    ("banking77", "intent_mteb", "accuracy"): (0.8004, 0.7871),
    ("banking77", "intent_mteb", "f1_macro"): (0.7950, 0.7802),
    ("clinc150", "intent_mteb", "accuracy"): (0.6312, 0.6455),
    ("clinc150", "intent_mteb", "f1_macro"): (0.6208, 0.6391),
    ("clinc150", "oos_prototype", "auroc"): (0.8917, 0.9034),
    ("clinc150", "oos_prototype", "fpr_at_95_recall"): (0.5460, 0.4980),
    ("sgd", "next_turn", "recall_at_1"): (0.1523, 0.2378),
    ("sgd", "next_turn", "recall_at_5"): (0.3011, 0.4206),
    ("sgd", "next_turn", "recall_at_10"): (0.3894, 0.5132),
    ("sgd", "next_turn", "mrr"): (0.2302, 0.3250),  # not a headline metric: table only
}


def write_compared_runs(results_dir: Path) -> None:
    """Two evaluation runs' result files: the base model and one fine-tuned from it."""
    from datetime import UTC, datetime

    from embedder_eval.results import Score, scores_table, write_results

    for position, (model, revision, base_model) in enumerate(
        [(BASE, "sha256:" + "a1" * 32, None), (TUNED, "sha256:" + "b2" * 32, BASE)]
    ):
        scores = [
            Score(dataset, "en", task, metric, values[position], 100, {"base_model": base_model})
            for (dataset, task, metric), values in COMPARED_SCORES.items()
        ]
        run_id = f"2026010{position + 1}T100000Z-run{position}"
        started_at = datetime(2026, 1, position + 1, 10, tzinfo=UTC)
        table = scores_table(
            scores, run_id=run_id, model=model, model_revision=revision, started_at=started_at
        )
        write_results(table, results_dir, run_id)


@pytest.fixture(scope="module")
def models_dashboard_url(fixture_warehouse, tmp_path_factory):
    """`streamlit run` on a copy of the fixture warehouse whose embedder_scores holds a base
    model's run and a fine-tuned model's, rebuilt from their result files by dbt."""
    from embedder_eval.results import ensure_results_placeholder
    from embedder_eval.runner import refresh_warehouse

    data_dir, _ = fixture_warehouse
    copy = tmp_path_factory.mktemp("models_dashboard")
    warehouse = copy / "warehouse.duckdb"
    shutil.copy2(data_dir / "warehouse.duckdb", warehouse)
    write_compared_runs(copy / "evaluations")
    ensure_results_placeholder(copy / "evaluations")
    refresh_warehouse(warehouse, copy / "evaluations", data_dir / "raw", copy / "target")
    environment = {**os.environ, "DW_WAREHOUSE_PATH": str(warehouse)}
    with running_dashboard(
        free_port(), HEADLESS_ON_LOOPBACK, environment, copy / "streamlit.log"
    ) as url:
        yield url, warehouse


def overlaps(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


def test_models_page_shows_a_fine_tuned_model_beside_its_base_with_readable_values(
    models_dashboard_url, browser
):
    url, warehouse = models_dashboard_url
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        labels = dict(
            connection.execute("select distinct model, model_label from embedder_scores").fetchall()
        )
        tasks = [
            row[0]
            for row in connection.execute(
                "select distinct task from embedder_scores order by 1"
            ).fetchall()
        ]
    assert set(labels) == {BASE, TUNED}
    with new_page(browser) as page:
        open_dashboard_page(page, f"{url}/models", "Models")
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        charts.nth(len(tasks) - 1).locator("svg.marks").wait_for(timeout=PAGE_SECONDS * 1000)
        assert charts.count() == len(tasks)  # one grouped chart per task
        assert page.locator('[data-testid="stException"]').count() == 0

        # One table per task: the base's column, then the fine-tuned model's, then the change.
        tables = page.locator('[data-testid="stTable"] table')
        assert tables.count() == len(tasks)
        read = [
            table.evaluate(
                """table => [...table.querySelectorAll('tr')].map(row =>
                    [...row.querySelectorAll('th, td')].map(cell => cell.innerText.trim()))"""
            )
            for table in tables.all()
        ]
        headline = {key: pair for key, pair in COMPARED_SCORES.items() if key[2] != "mrr"}
        assert sum(len(rows) - 1 for rows in read) == len(headline)  # every headline score once
        for rows, task in zip(read, tasks, strict=True):
            header = rows[0]
            assert header.index(labels[BASE]) + 1 == header.index(labels[TUNED]), header
            assert header[-1] == "change vs base"
            for row in rows[1:]:
                cells = dict(zip(header, row, strict=True))
                base, tuned = COMPARED_SCORES[(cells["dataset"], task, cells["metric"])]
                assert cells[labels[BASE]] == f"{base * 100:.2f}"
                assert cells[labels[TUNED]] == f"{tuned * 100:.2f}"
                assert cells["change vs base"] == f"{(tuned - base) * 100:+.2f}"

        # The charts: the value of every bar written beside it, legible, none on another.
        for position, task in enumerate(tasks):
            chart = charts.nth(position)
            chart.scroll_into_view_if_needed()
            texts = chart.locator("g.mark-text.role-mark text")
            values = sorted(texts.all_text_contents())
            expected = sorted(
                f"{value * 100:.2f}"
                for (dataset, scored_task, metric), pair in headline.items()
                if scored_task == task
                for value in pair
            )
            assert values == expected, task
            frame = chart.locator("svg.marks").bounding_box()
            boxes = [text.bounding_box() for text in texts.all()]
            for box in boxes:
                assert box["height"] >= 10  # a readable size
                assert (
                    frame["x"] <= box["x"]
                    and box["x"] + box["width"] <= frame["x"] + frame["width"]
                )
            for first in range(len(boxes)):
                for second in range(first + 1, len(boxes)):
                    assert not overlaps(boxes[first], boxes[second]), (task, first, second)
            legend = chart.locator("g.role-legend text").all_text_contents()
            assert labels[BASE] in legend and labels[TUNED] in legend
        SCREENSHOTS.mkdir(exist_ok=True)
        screenshot_whole_page(page, SCREENSHOTS / "models_compared.png")
