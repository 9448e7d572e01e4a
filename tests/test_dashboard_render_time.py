"""How long each page takes to render in Chromium on a warm server (fixture warehouse).

A benchmark inside the browser test suite: it prints the seconds each page took to load in a
new tab until its script finished, the first time and (the Overview) again on a warm server,
and asserts only that each page rendered (no wall-clock assert). Run with -s to see them.
"""

from __future__ import annotations

import time

import pytest

from tests.test_dashboard_browser import (
    CHROMIUM,
    PAGE_SECONDS,
    PAGES,
    browser,  # noqa: F401  (the fixture)
    dashboard_url,  # noqa: F401  (the fixture)
    wait_for_the_script_to_finish,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (install the Debian package chromium)"
)


def render_seconds(browser, url: str, heading: str) -> float:  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        started = time.monotonic()
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("heading", name=heading, level=1).wait_for(timeout=PAGE_SECONDS * 1000)
        wait_for_the_script_to_finish(page)
        return time.monotonic() - started
    finally:
        page.close()


def test_every_page_renders_and_its_time_is_printed(dashboard_url, browser, capsys):  # noqa: F811
    url, _ = dashboard_url
    lines = []
    for url_path, heading, _ in PAGES:  # each page's first load: its queries not cached yet
        first = render_seconds(browser, f"{url}/{url_path}", heading)
        lines.append(f"{url_path or 'overview':<14} first load {first:5.2f} s")
    warm = render_seconds(browser, url, "Overview")  # the page a visitor lands on, warm
    lines.append(f"{'overview':<14} warm load  {warm:5.2f} s")
    with capsys.disabled():
        print("\npage render in Chromium (fixture warehouse):\n" + "\n".join(lines))
    assert len(lines) == len(PAGES) + 1
