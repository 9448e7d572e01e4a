"""The dashboard started with no warehouse builds one by itself, in a real browser.

`streamlit run` with a mirror configured (DW_MIRROR: a folder holding the real CamRest676 from
../shared/data/raw, the rest missing) and no warehouse: Chromium sees the build start without a
click, its progress, then the Overview with the built data, with no reload. Skipped where
/usr/bin/chromium or the mirror is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.support import REPO_ROOT, require_mirror
from tests.test_dashboard_browser import (
    CHROMIUM,
    browser,  # noqa: F401  (the fixture)
    free_port,
    wait_until_healthy,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (install the Debian package chromium)"
)
BUILD_SECONDS = 300


@pytest.fixture
def dashboard_without_a_warehouse(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "camrest676").symlink_to(require_mirror() / "camrest676")
    data_dir = tmp_path / "data"
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    environment = {
        **os.environ,
        "DW_DATA_DIR": str(data_dir),
        "DW_MIRROR": str(mirror),
        "DW_DASHBOARD_BUILD": "1",
    }
    environment.pop("DW_WAREHOUSE_PATH", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/streamlit_app.py"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, data_dir
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_the_dashboard_builds_its_warehouse_and_shows_it_without_a_reload(
    dashboard_without_a_warehouse,
    browser,  # noqa: F811
):
    url, data_dir = dashboard_without_a_warehouse
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
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
    finally:
        page.close()
