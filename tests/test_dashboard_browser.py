"""The dashboard in a real browser: `streamlit run` on 127.0.0.1, every page in headless Chromium.

Each page must show its heading and its charts drawn (Vega renders each into a canvas or an
SVG inside a [data-testid="stVegaLiteChart"] element), and no exception or error box. A screenshot of each page lands in screenshots/
(gitignored). Skipped only where /usr/bin/chromium is absent (CI installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.support import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "screenshots"
STARTUP_SECONDS = 60
PAGE_SECONDS = 60

# (url path, heading, charts the page draws on the fixture warehouse; None: counted from it)
PAGES = [
    ("", "Overview", 3),
    ("pretrain", "Pre-training corpus", 7),
    ("pairs", "Pairs", 4),
    ("downstream", "Downstream", 5),
    ("data_quality", "Data quality", 4),
    ("explorer", "Explorer", 0),
    ("models", "Models", None),
    ("build", "Build the warehouse", 0),
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (install the Debian package chromium)"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"streamlit did not answer on {url} within {STARTUP_SECONDS}s")


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
    port = free_port()
    environment = {
        **os.environ,
        "DW_WAREHOUSE_PATH": str(copy / "warehouse.duckdb"),
    }
    log = (copy / "streamlit.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/streamlit_app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, copy / "warehouse.duckdb"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


def wait_for_the_script_to_finish(page) -> None:
    """Streamlit shows a running indicator while the page's script runs."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=PAGE_SECONDS * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=PAGE_SECONDS * 1000,
    )


def screenshot_whole_page(page, path: Path) -> None:
    """The app scrolls inside its main element: grow the window to its height, then shoot."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight"
    )
    page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 120)})
    page.wait_for_timeout(1500)  # charts re-lay out to the new size
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize(("url_path", "heading", "n_charts"), PAGES)
def test_every_page_renders_its_heading_and_charts_in_chromium(
    dashboard_url, browser, url_path, heading, n_charts, capsys
):
    url, warehouse = dashboard_url
    if n_charts is None:
        n_charts = evaluation_charts(warehouse)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        started = time.monotonic()
        page.goto(f"{url}/{url_path}", wait_until="domcontentloaded")
        page.get_by_role("heading", name=heading, level=1).wait_for(timeout=PAGE_SECONDS * 1000)
        wait_for_the_script_to_finish(page)
        with capsys.disabled():  # a figure, not an assert: the page's first load in a new tab
            print(f"\n{url_path or 'overview'}: rendered in {time.monotonic() - started:.2f} s")
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
        screenshot_whole_page(page, SCREENSHOTS / f"{url_path or 'overview'}.png")
    finally:
        page.close()


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
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(f"{url}/data_quality", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Data quality", level=1).wait_for(
            timeout=PAGE_SECONDS * 1000
        )
        wait_for_the_script_to_finish(page)
        shown = page.evaluate(
            """() => Object.fromEntries(
                [...document.querySelectorAll('[data-testid="stMetric"]')].map(metric => [
                    metric.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
                    metric.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
                ])
            )"""
        )
    finally:
        page.close()
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
    port = free_port()
    log = (copy / "streamlit.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/streamlit_app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "DW_WAREHOUSE_PATH": str(warehouse)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, warehouse
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


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
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(f"{url}/models", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Models", level=1).wait_for(timeout=PAGE_SECONDS * 1000)
        wait_for_the_script_to_finish(page)
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
    finally:
        page.close()
