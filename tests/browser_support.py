"""Helpers for the tests that run the dashboard with `streamlit run` and open it in Chromium
(bench/dashboard_pages.py starts the dashboard with them too)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
STARTUP_SECONDS = 60
PAGE_SECONDS = 60
VIEWPORT = {"width": 1440, "height": 1000}

requires_chromium = pytest.mark.skipif(
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


@contextmanager
def running_dashboard(
    port: int, options: list[str], environment: dict[str, str], log_path: Path
) -> Iterator[str]:
    """`streamlit run dashboard/streamlit_app.py --server.port <port> <options>` from the
    repository root (where .streamlit/config.toml is read from), its output in log_path.

    Yields the dashboard's URL once it answers its health check; stops the server after."""
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/streamlit_app.py"]
            + ["--server.port", str(port), *options],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


@contextmanager
def launched_chromium() -> Iterator:
    """Headless Chromium driven by Playwright (the test is skipped where Playwright is absent)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


@contextmanager
def new_page(browser) -> Iterator:
    """A new tab of VIEWPORT's size, closed after."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        yield page
    finally:
        page.close()


def wait_for_the_script_to_finish(page) -> None:
    """Streamlit shows a running indicator while the page's script runs."""
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=PAGE_SECONDS * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=PAGE_SECONDS * 1000,
    )


@dataclass(frozen=True)
class PageTimes:
    """Seconds from opening a page until it first showed (its level-1 heading, drawn with the
    first elements the page's script sends) and until its script finished (every element)."""

    first_render: float
    finished: float

    def line(self) -> str:
        return f"first render {self.first_render:.2f} s, finished {self.finished:.2f} s"


def open_dashboard_page(page, url: str, heading: str) -> PageTimes:
    """Go to url and wait for its level-1 heading and for the page's script to finish."""
    started = time.monotonic()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading, level=1).wait_for(timeout=PAGE_SECONDS * 1000)
    first_render = time.monotonic() - started
    wait_for_the_script_to_finish(page)
    return PageTimes(first_render, time.monotonic() - started)
