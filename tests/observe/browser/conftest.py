"""Harness for observe's browser side: one Chromium per test module on its own event loop, pages on loopback.

observe drives Playwright's async API; a module-scoped browser needs one event loop that outlives each
test, so it runs in a thread of its own and tests hand it coroutines with `run(...)`. Pages are served
by a tiny threaded HTTP server on 127.0.0.1 (the app) and 127.0.0.2 (a "third party": another site by
registrable domain, since an IP address is its own site).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.async_api import Browser, Playwright

from consentgate.observe.browser import CHROMIUM, launch_browser

T = TypeVar("T")
GUARD = 60.0  # seconds: a guard against a hung browser, never an expectation of speed


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker here too: this folder runs without tests/browser's conftest."""
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives Chromium: mark it, so `-m "not browser"` skips them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


Run = Callable[[Coroutine[Any, Any, T]], T]


@dataclass
class Loop:
    """An event loop in its own thread, with the browser launched on it."""

    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    playwright: Playwright | None = None
    browser: Browser | None = None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(GUARD)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Loop]:
    """One Debian Chromium for the whole module; missing, it skips locally and fails in CI."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; run `make install` to get Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    running = Loop(loop, thread)
    running.playwright, running.browser = running.run(launch_browser())
    try:
        yield running
    finally:
        running.run(running.browser.close())
        running.run(running.playwright.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(GUARD)
        loop.close()


Response = tuple[int, str, str]  # status, content type, body


@dataclass
class Site:
    """A loopback HTTP server; `hits` keeps (method, path, body) of every request it answered."""

    server: ThreadingHTTPServer
    release: threading.Event
    hits: list[tuple[str, str, bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"


def serve(host: str, routes: dict[str, Response | str]) -> Site:
    """Serve `routes` (path -> HTML, or (status, type, body)) on `host`; the path `/never` never answers."""
    release = threading.Event()
    site: Site

    class Handle(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            site.hits.append((self.command, self.path, body))
            path = self.path.split("?", 1)[0]
            if path == "/never":
                release.wait(GUARD)  # a response that never comes while the test runs
                return
            if path == "/loop":
                self.send_response(302)
                self.send_header("location", "/loop")
                self.end_headers()
                return
            found = routes.get(path)
            status, kind, text = (
                (200, "text/html; charset=utf-8", found)
                if isinstance(found, str)
                else (found or (404, "text/plain", "not found"))
            )
            data = text.encode()
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            self.send_header("access-control-allow-origin", "*")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_OPTIONS = _answer  # noqa: N815 (the names http.server looks up)

    server = ThreadingHTTPServer((host, 0), Handle)
    server.daemon_threads = True
    site = Site(server, release)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site


def stop(site: Site) -> None:
    site.release.set()
    site.server.shutdown()
    site.server.server_close()
