"""Benchmark: every dashboard page in headless Chromium on a real warehouse, timed and shot.

    python bench/dashboard_pages.py [--warehouse data/warehouse.duckdb] [--shots screenshots]

Starts `streamlit run dashboard/streamlit_app.py` on 127.0.0.1 with the warehouse (as the
browser tests do, with tests/browser_support.py), opens each page in a new tab twice and
prints two figures each time: the seconds until the page first showed (its heading, drawn
with the first elements its script sends) and until its script finished (every element).
Fresh: in a new browser profile (nothing cached: neither the page's queries on the server nor
Streamlit's scripts in the browser); returning: in the profile of a visitor who has opened
the dashboard before (the server's query cache and the browser's HTTP cache filled). It saves a
full-page screenshot of each page (screenshots/ is gitignored). Needs /usr/bin/chromium and
playwright (dev extra). A benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser_support import (  # noqa: E402
    PageTimes,
    free_port,
    open_dashboard_page,
    running_dashboard,
)

CHROMIUM = "/usr/bin/chromium"
PAGES = [
    ("", "Overview"),
    ("pretrain", "Pre-training corpus"),
    ("pairs", "Pairs"),
    ("downstream", "Downstream"),
    ("data_quality", "Data quality"),
    ("explorer", "Explorer"),
    ("models", "Models"),
    ("build", "Build the warehouse"),
]


def load(profile, url: str, heading: str, shot: Path | None) -> PageTimes:
    """Open url in a new tab of a browser profile (a BrowserContext): the seconds until the
    page first showed and until its script finished."""
    page = profile.new_page()
    try:
        times = open_dashboard_page(page, url, heading)
        if shot is not None:
            height = page.evaluate(
                "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                ".scrollHeight"
            )
            page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 120)})
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shot), full_page=True)
        return times
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO_ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--shots", type=Path, default=REPO_ROOT / "screenshots")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    arguments.shots.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "DW_WAREHOUSE_PATH": str(arguments.warehouse.resolve())}
    # Only the timings are printed: streamlit's own output is dropped.
    with (
        running_dashboard(
            free_port(), ["--server.address", "127.0.0.1"], environment, Path(os.devnull)
        ) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        print(f"warehouse {arguments.warehouse} ({arguments.warehouse.stat().st_size:,} bytes)")
        viewport = {"width": 1440, "height": 1000}
        visitor = browser.new_context(viewport=viewport)  # its HTTP cache outlives its tabs
        load(visitor, url, PAGES[0][1], None)  # the visitor's earlier visit
        for path, heading in PAGES:
            fresh = browser.new_context(viewport=viewport)  # nothing cached in the browser
            first = load(fresh, f"{url}/{path}", heading, None)
            fresh.close()
            shot = arguments.shots / f"{path or 'overview'}.png"
            warm = load(visitor, f"{url}/{path}", heading, shot)
            name = path or "overview"
            print(
                f"{name:<14} fresh {first.first_render:5.2f} / {first.finished:5.2f} s   "
                f"returning {warm.first_render:5.2f} / {warm.finished:5.2f} s   {shot}"
            )
        browser.close()


if __name__ == "__main__":
    main()
