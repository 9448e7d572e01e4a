"""The dashboard as the project starts it (its .streamlit/config.toml, no address given) on a
file that is not a warehouse: it listens on the loopback interface only, and Chromium shows a
page saying what is wrong, with no exception. Skipped where /usr/bin/chromium is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import (
    PAGE_SECONDS,
    free_port,
    launched_chromium,
    new_page,
    requires_chromium,
    running_dashboard,
    wait_for_the_script_to_finish,
)

pytestmark = requires_chromium


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
    environment = {**os.environ, "DW_WAREHOUSE_PATH": str(garbage)}
    # No --server.address: the address is the one .streamlit/config.toml gives.
    with running_dashboard(port, [], environment, folder / "streamlit.log") as url:
        yield url, port


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


def test_the_dashboard_listens_on_loopback_only_by_default(garbage_dashboard):
    _, port = garbage_dashboard
    addresses = listening_addresses(port)
    assert addresses and addresses <= LOOPBACK, addresses


def test_a_garbage_warehouse_shows_what_is_wrong_in_chromium(garbage_dashboard, browser):
    url, _ = garbage_dashboard
    with new_page(browser) as page:
        page.goto(url, timeout=PAGE_SECONDS * 1000)
        wait_for_the_script_to_finish(page)
        heading = page.locator("h1").first.inner_text(timeout=PAGE_SECONDS * 1000)
        assert heading.strip() == "The warehouse cannot be shown"
        body = page.locator('[data-testid="stAlert"]').first.inner_text()
        assert "is not a DuckDB database" in body
        assert page.locator('[data-testid="stException"]').count() == 0
