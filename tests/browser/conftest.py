"""Browser-test harness: Playwright drives Debian's Chromium against apps served on 127.0.0.1.

The browser is the one `make install` puts at /usr/bin/chromium (never a Playwright download), with
background networking off so a test talks to nothing but its own server. Screenshots are kept under
`test-artifacts/screenshots/` so a reviewer can see what the test saw, including on failure.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.types import ASGIApp

from tests.runtime.conftest import key_ring

__all__ = ["key_ring"]  # every served app gets the test key ring, as the runtime tests do

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; a full one crashes the renderer
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERVER_START_LIMIT = 30.0  # seconds; a guard against a hung start-up, not a performance expectation

LiveServer = Callable[[ASGIApp], str]
Shot = Callable[[Page, str], Path]

_HERE = Path(__file__).resolve().parent
_PAGE = pytest.StashKey[Page]()
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker here because the harness owns it (and --strict-markers demands it)."""
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this directory, so `-m "not browser"` skips them without per-file boilerplate."""
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item and photograph the page when the test body fails."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    page = item.stash.get(_PAGE, None)
    if report.when == "call" and report.failed and page is not None and not page.is_closed():
        try:
            path = save_screenshot(page, item.name, "failure")
        except Exception as error:  # the test's own failure matters more than the photo
            report.sections.append(("browser screenshot", f"could not be saved: {error}"))
        else:
            report.sections.append(("browser screenshot", str(path)))
    return report


def save_screenshot(page: Page, test_name: str, step: str) -> Path:
    """Save a full-page PNG as `<test name>-<step>.png`, with names made safe for any file system."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{test_name}-{step}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(autouse=True)
def fresh_screenshots(request: pytest.FixtureRequest) -> None:
    """A test's screenshots are from its latest run only: an old failure shot never lingers beside a pass."""
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per test process; missing infrastructure skips locally but fails in CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; run `make install` to get Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context per test, so cookies and storage never leak from one test into the next."""
    context = browser.new_context(locale="en-US")
    try:
        opened = context.new_page()
        request.node.stash[_PAGE] = opened
        yield opened
    finally:
        if _PAGE in request.node.stash:
            del request.node.stash[_PAGE]
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    """`shot(page, step)` keeps a full-page screenshot named after the test and returns its path."""

    def take(page: Page, step: str) -> Path:
        return save_screenshot(page, request.node.name, step)

    return take


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """`live_server(app)` serves an ASGI app on 127.0.0.1 and returns its base URL; stopped after the test."""
    running: list[tuple[uvicorn.Server, threading.Thread, socket.socket]] = []

    def serve(app: ASGIApp) -> str:
        # Bind first and hand the socket to uvicorn: no window in which another xdist worker takes the port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        running.append((server, thread, sock))
        thread.start()
        deadline = time.monotonic() + SERVER_START_LIMIT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start on 127.0.0.1:{port} (see the log above)")
            time.sleep(0.01)
        return f"http://127.0.0.1:{port}"

    try:
        yield serve
    finally:
        for server, thread, sock in running:
            server.should_exit = True
            thread.join(SERVER_START_LIMIT)
            sock.close()  # uvicorn closes it on a clean stop; this covers a failed start-up
        if any(thread.is_alive() for _, thread, _ in running):
            raise RuntimeError("a live server did not stop")
