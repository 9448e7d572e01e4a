"""The dashboard as the project starts it (its .streamlit/config.toml, no address given) on a
file that is not a warehouse: it listens on the loopback interface only, and Chromium shows a
page saying what is wrong, with no exception. Skipped where /usr/bin/chromium is absent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO_ROOT
from tests.test_dashboard_browser import (
    CHROMIUM,
    PAGE_SECONDS,
    browser,  # noqa: F401  (the fixture)
    free_port,
    wait_for_the_script_to_finish,
    wait_until_healthy,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (install the Debian package chromium)"
)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on the port, from /proc/net/tcp and tcp6."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1, as /proc has them


@pytest.fixture(scope="module")
def garbage_dashboard(tmp_path_factory):
    folder = tmp_path_factory.mktemp("garbage")
    garbage = folder / "warehouse.duckdb"
    garbage.write_bytes(b"\x00not a duckdb file\x00" * 1000)
    port = free_port()
    log = (folder / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/streamlit_app.py"]
        + ["--server.port", str(port)],
        cwd=REPO_ROOT,  # where .streamlit/config.toml is read from
        env={**os.environ, "DW_WAREHOUSE_PATH": str(garbage)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, port
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_the_dashboard_listens_on_loopback_only_by_default(garbage_dashboard):
    _, port = garbage_dashboard
    addresses = listening_addresses(port)
    assert addresses and addresses <= LOOPBACK, addresses


def test_a_garbage_warehouse_shows_what_is_wrong_in_chromium(garbage_dashboard, browser):  # noqa: F811
    url, _ = garbage_dashboard
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(url, timeout=PAGE_SECONDS * 1000)
        wait_for_the_script_to_finish(page)
        heading = page.locator("h1").first.inner_text(timeout=PAGE_SECONDS * 1000)
        assert heading.strip() == "The warehouse cannot be shown"
        body = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "is not a DuckDB database" in body
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        page.close()
