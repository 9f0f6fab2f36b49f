"""What every walk and every walk's extra looks (the settings re-check, the policy search) share.

A walk's state (its context, page, recorder, screens, taps) and the few moves made on a page: wait for
it to settle, read it (screenshot, cookies, storage), tap a control and wait for the tap's effect, and
turn whatever went wrong into the walk's end with its reason. Kept apart from `walker.py` so the
looks that run after a walk use the same moves as the walk itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TypeVar

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from consentgate.i18n import message
from consentgate.observe.model import ObservedScreen, Path, Phase, SettingSet, WalkEnd
from consentgate.observe.persona import Persona
from consentgate.observe.reader import PageSigns, read_page
from consentgate.observe.recorder import Recorder
from consentgate.observe.sent_data import redact_text

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Every step has a bound (seconds); together they make a walk finite whatever the page does."""

    action: float = 5.0  # one click or fill
    settle: float = 15.0  # one page load
    idle: float = 2.0  # waiting for the network to go quiet after a load (a busy page is not an error)
    walk: float = 120.0  # one whole walk
    max_screens: int = 12
    menu_taps: int = 5  # the policy search from the main screen: how many taps deep it looks (AVIM 1.3: 4)
    menu_pages: int = 24  # and how many pages it may read doing so


DEFAULT_LIMITS = Limits()


class End(Exception):
    """Stops a walk with its reason; raised inside the walk, turned into `Walk.end` at its edge."""

    def __init__(self, end: WalkEnd, key: str, **values: object) -> None:
        super().__init__(key)
        self.end = end
        text = message(key, **{k: redact_text(v) if isinstance(v, str) else v for k, v in values.items()})
        self.detail = f"{text.en} / {text.zh}"


@dataclass
class WalkState:
    """One walk in progress: its browser context, recorder, screens read and the choices made."""

    path: Path
    context: BrowserContext
    page: Page
    recorder: Recorder
    evidence_dir: FilePath | None
    limits: Limits
    persona: Persona
    code: str | None
    screens: list[ObservedScreen] = field(default_factory=list)
    taps: int = 0
    refused_at: int | None = None
    agreed_at: int | None = None
    agreed_on: str | None = None  # the screen where the person agreed: submitting it is still agreeing
    ticked: list[str] = field(default_factory=list)
    submitted: bool = False  # a form the walker filled was sent: a page asking for an e-mail link now ends it
    settings_set: list[SettingSet] = field(default_factory=list)
    landed: bool = False  # the walk ended on a screen with nothing left to choose: the main screen
    looks: int = 0  # screens read outside the walk (re-checks, the policy search), for their names
    ended_at: int | None = None  # seq when the walk itself ended: what comes later is the looks'
    pages: dict[str, str] = field(default_factory=dict)  # screen id -> its full URL, to load it again


def failure(error: Exception, target: str) -> End:
    text = str(error)
    if "ERR_TOO_MANY_REDIRECTS" in text:
        return End(WalkEnd.UNREACHABLE, "observe.end.redirect_loop", target=target)
    if any(mark in text for mark in ("ERR_CERT", "ERR_SSL", "SSL_PROTOCOL")):
        return End(WalkEnd.UNREACHABLE, "observe.end.tls", target=target, reason=first_line(text))
    if isinstance(error, PlaywrightTimeout) or "Timeout" in text:
        return End(WalkEnd.TIMEOUT, "observe.end.never_settled", target=target)
    if "net::ERR_" in text:
        return End(WalkEnd.UNREACHABLE, "observe.end.unreachable", target=target, reason=first_line(text))
    return End(WalkEnd.ERROR, "observe.end.error", target=target, reason=first_line(text))


def first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "?"


async def bounded(work: Awaitable[T], seconds: float) -> T:
    return await asyncio.wait_for(work, seconds)


async def settle(state: WalkState) -> None:
    """Wait for the page to load (a limit: never settling ends the walk), then briefly for network quiet."""
    page = state.page
    try:
        await page.wait_for_load_state("load", timeout=state.limits.settle * 1000)
    except PlaywrightError as error:
        raise failure(error, page.url) from error
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_load_state("networkidle", timeout=state.limits.idle * 1000)


async def read(state: WalkState) -> tuple[ObservedScreen, PageSigns]:
    """Read the screen on show, photograph it, note cookies and storage; the screen becomes `state.screens[-1]`."""
    screen_id = f"screen-{len(state.screens) + 1}"
    state.recorder.screen = screen_id
    screen, signs = await _read_as(state, screen_id)
    state.screens.append(screen)
    return screen, signs


async def look(state: WalkState, kind: str) -> tuple[ObservedScreen, PageSigns]:
    """Read a screen outside the walk (`kind`: recheck, menu): photographed, but no screen of the flow.

    What the page does meanwhile is still recorded, on no screen of the flow, with the walk's phase.
    """
    state.looks += 1
    state.recorder.screen = None
    return await _read_as(state, f"{kind}-{state.looks}", walk_phase=False)


async def _read_as(
    state: WalkState, screen_id: str, *, walk_phase: bool = True
) -> tuple[ObservedScreen, PageSigns]:
    recorder = state.recorder
    try:
        screen, signs = await read_page(
            state.page, screen_id=screen_id, seq=recorder.next_seq(), phase=recorder.phase, taps=state.taps
        )
    except PlaywrightError as error:
        raise failure(error, state.page.url) from error
    if walk_phase and recorder.phase is Phase.LOADED and screen.shows_notice:
        recorder.phase = Phase.NOTICE
        screen = screen.model_copy(update={"phase": Phase.NOTICE})
    if state.evidence_dir is not None:
        name = f"{state.path.value}-{screen_id}.png"
        with contextlib.suppress(PlaywrightError):
            await state.page.screenshot(
                path=str(state.evidence_dir / name), full_page=True, timeout=state.limits.action * 1000
            )
            screen = screen.model_copy(update={"screenshot": name})
    await recorder.snapshot(state.context, state.page)
    return screen, signs


def fingerprint(screen: ObservedScreen, signs: PageSigns) -> str:
    return hashlib.sha256(f"{screen.url}\n{signs.text}".encode()).hexdigest()


# Set before a tap: a MutationObserver flags any change of the document. After the tap the walker waits
# until the flag is up or the document was replaced (a new page has no flag): pages that swap their
# content without navigating (htmx, single-page apps) would otherwise be read before they change.
_WATCH = """() => {
  window.__cgChanged = false;
  new MutationObserver(() => { window.__cgChanged = true; })
    .observe(document.documentElement, {subtree: true, childList: true, characterData: true});
}"""
_CHANGED = "() => window.__cgChanged !== false"


async def click(state: WalkState, index: int) -> None:
    page, ms = state.page, state.limits.action * 1000
    locator = page.locator(f'[data-cg-control="{index}"]')
    await page.evaluate(_WATCH)
    await locator.click(timeout=ms)
    state.taps += 1
    # Nothing changing within the action limit is an answer too (a dead end), so the wait may give up;
    # a navigation that replaces the document mid-wait ends it as well.
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(_CHANGED, timeout=ms)
