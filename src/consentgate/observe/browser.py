"""Debian's Chromium through Playwright's async API, launched the way our browser tests launch it.

Never a downloaded browser build: the one at /usr/bin/chromium, with background networking, sync and
component updates off, so the only traffic recorded is the app's own. A device name picks Playwright's
descriptor (viewport, user agent, touch) for H5 flows.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from consentgate.errors import UsageError
from consentgate.manifest.references import hint

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; a full one crashes the renderer
)
LOCALE = "zh-CN"  # the apps judged are for people in China; pages pick their language from it

# The device table lives on the Playwright object; remember it for each browser we launch.
_DEVICES: weakref.WeakKeyDictionary[Browser, dict[str, Any]] = weakref.WeakKeyDictionary()
_fallback_devices: dict[str, Any] = {}


async def launch_browser() -> tuple[Playwright, Browser]:
    """Start Playwright and Debian's Chromium; the caller closes both (`browser.close()`, `playwright.stop()`)."""
    if not CHROMIUM.exists():
        raise UsageError.from_key("observe.no_chromium", path=str(CHROMIUM))
    playwright = await async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
    except BaseException:
        await playwright.stop()
        raise
    _DEVICES[browser] = dict(playwright.devices)
    return playwright, browser


async def _devices_for(browser: Browser) -> dict[str, Any]:
    if browser in _DEVICES:
        return _DEVICES[browser]
    if not _fallback_devices:  # a browser launched elsewhere: read the (static) table once
        playwright = await async_playwright().start()
        try:
            _fallback_devices.update(playwright.devices)
        finally:
            await playwright.stop()
    return _fallback_devices


async def device_options(browser: Browser, device: str | None) -> dict[str, Any]:
    """Context options for `device`, or a bilingual usage error with a "did you mean" for an unknown name."""
    if device is None:
        return {}
    devices = await _devices_for(browser)
    if device not in devices:
        raise UsageError.from_key("observe.unknown_device", device=device, hint=hint(device, devices))
    return dict(devices[device])


async def new_context(browser: Browser, device: str | None) -> BrowserContext:
    """A fresh context (no cookies, no storage, no permissions granted) emulating `device` if named."""
    options = await device_options(browser, device)
    options.setdefault("locale", LOCALE)
    return await browser.new_context(**options)
