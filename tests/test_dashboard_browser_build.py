"""The dashboard started with no warehouse builds one by itself, in a real browser.

`streamlit run` with a mirror configured (DW_MIRROR: a folder holding the real CamRest676 from
../shared/data/raw, the rest missing) and no warehouse: Chromium sees the build start without a
click, its progress, then the Overview with the built data, with no reload. Skipped where
/usr/bin/chromium or the mirror is absent.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.browser_support import (
    free_port,
    launched_chromium,
    new_page,
    requires_chromium,
    running_dashboard,
)
from tests.support import require_mirror

pytestmark = requires_chromium
BUILD_SECONDS = 300


@pytest.fixture
def dashboard_without_a_warehouse(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "camrest676").symlink_to(require_mirror() / "camrest676")
    data_dir = tmp_path / "data"
    environment = {
        **os.environ,
        "DW_DATA_DIR": str(data_dir),
        "DW_MIRROR": str(mirror),
        "DW_DASHBOARD_BUILD": "1",
    }
    environment.pop("DW_WAREHOUSE_PATH", None)
    with running_dashboard(
        free_port(), ["--server.address", "127.0.0.1"], environment, tmp_path / "streamlit.log"
    ) as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_the_dashboard_builds_its_warehouse_and_shows_it_without_a_reload(
    dashboard_without_a_warehouse, browser
):
    url, data_dir = dashboard_without_a_warehouse
    with new_page(browser) as page:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Build the warehouse", level=1).wait_for(timeout=60_000)
        # Started by itself: no click. The progress shows the pipeline's stages as they pass.
        page.get_by_text("so the dashboard is building it").wait_for(timeout=60_000)
        page.locator('[data-testid="stProgress"]').first.wait_for(timeout=60_000)
        seen_phases = set()
        deadline = time.monotonic() + BUILD_SECONDS
        overview = page.get_by_role("heading", name="Overview", level=1)
        while not overview.is_visible():
            assert time.monotonic() < deadline, f"no Overview after {BUILD_SECONDS}s"
            text = page.locator('[data-testid="stMain"]').inner_text()
            seen_phases |= {phase for phase in ("ingest", "build") if phase in text}
            assert "FAILED" not in text, text[-2000:]
            page.wait_for_timeout(500)
        assert seen_phases  # progress was shown while it ran
        assert (data_dir / "warehouse.duckdb").is_file()
        dialogues = page.locator('[data-testid="stMetric"]', has_text="Dialogues")
        dialogues.first.wait_for(timeout=60_000)
        assert "676" in dialogues.first.inner_text()  # CamRest676's dialogues
        assert page.locator('[data-testid="stException"]').count() == 0
