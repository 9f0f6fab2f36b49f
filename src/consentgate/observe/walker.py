"""Walks an app's sign-up flow in a real browser: refusal first, then acceptance, each in a fresh context.

Each screen is read, photographed and its cookies and storage noted; every request and permission ask
is recorded with the phase current when it happened. The walk ends at the home page (nothing left to
choose), a dead end, a barrier (login wall, CAPTCHA, a code it cannot read) or a limit, and says which:
a target's problem never raises out of `observe_target` and never hangs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from consentgate.i18n import message
from consentgate.observe.browser import launch_browser, new_context
from consentgate.observe.flow import Flow, Step
from consentgate.observe.keywords import catalog, mentions, role_of
from consentgate.observe.model import (
    ControlRole,
    Observation,
    ObservedScreen,
    Path,
    Phase,
    Walk,
    WalkEnd,
)
from consentgate.observe.parties import site_of
from consentgate.observe.persona import DEFAULT_PERSONA, Persona
from consentgate.observe.reader import PageSigns, read_page
from consentgate.observe.recorder import Recorder
from consentgate.observe.sent_data import redact_text

T = TypeVar("T")

_REFUSALS = (ControlRole.REFUSE, ControlRole.BROWSE, ControlRole.SKIP)
_UNREACHABLE = ("net::ERR_", "SSL", "CERT")


@dataclass(frozen=True)
class Limits:
    """Every step has a bound (seconds); together they make a walk finite whatever the page does."""

    action: float = 5.0  # one click or fill
    settle: float = 15.0  # one page load
    idle: float = 2.0  # waiting for the network to go quiet after a load (a busy page is not an error)
    walk: float = 120.0  # one whole walk
    max_screens: int = 12


class _End(Exception):
    """Stops a walk with its reason; raised inside the walk, turned into `Walk.end` at its edge."""

    def __init__(self, end: WalkEnd, key: str, **values: object) -> None:
        super().__init__(key)
        self.end = end
        text = message(key, **{k: redact_text(v) if isinstance(v, str) else v for k, v in values.items()})
        self.detail = f"{text.en} / {text.zh}"


@dataclass
class _State:
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


def _failure(error: Exception, target: str) -> _End:
    text = str(error)
    if "ERR_TOO_MANY_REDIRECTS" in text:
        return _End(WalkEnd.UNREACHABLE, "observe.end.redirect_loop", target=target)
    if any(mark in text for mark in ("ERR_CERT", "ERR_SSL", "SSL_PROTOCOL")):
        return _End(WalkEnd.UNREACHABLE, "observe.end.tls", target=target, reason=_first_line(text))
    if isinstance(error, PlaywrightTimeout) or "Timeout" in text:
        return _End(WalkEnd.TIMEOUT, "observe.end.never_settled", target=target)
    if "net::ERR_" in text:
        return _End(WalkEnd.UNREACHABLE, "observe.end.unreachable", target=target, reason=_first_line(text))
    return _End(WalkEnd.ERROR, "observe.end.error", target=target, reason=_first_line(text))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else "?"


async def _bounded(work: Awaitable[T], seconds: float) -> T:
    return await asyncio.wait_for(work, seconds)


async def _settle(state: _State) -> None:
    """Wait for the page to load (a limit: never settling ends the walk), then briefly for network quiet."""
    page = state.page
    try:
        await page.wait_for_load_state("load", timeout=state.limits.settle * 1000)
    except PlaywrightError as error:
        raise _failure(error, page.url) from error
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_load_state("networkidle", timeout=state.limits.idle * 1000)


async def _read(state: _State) -> tuple[ObservedScreen, PageSigns]:
    """Read the screen on show, photograph it, note cookies and storage; the screen becomes `state.screens[-1]`."""
    recorder = state.recorder
    screen_id = f"screen-{len(state.screens) + 1}"
    recorder.screen = screen_id
    try:
        screen, signs = await read_page(
            state.page, screen_id=screen_id, seq=recorder.next_seq(), phase=recorder.phase, taps=state.taps
        )
    except PlaywrightError as error:
        raise _failure(error, state.page.url) from error
    if recorder.phase is Phase.LOADED and screen.shows_notice:
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
    state.screens.append(screen)
    return screen, signs


def _fingerprint(screen: ObservedScreen, signs: PageSigns) -> str:
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


async def _click(state: _State, index: int) -> None:
    page, ms = state.page, state.limits.action * 1000
    locator = page.locator(f'[data-cg-control="{index}"]')
    await page.evaluate(_WATCH)
    await locator.click(timeout=ms)
    state.taps += 1
    # Nothing changing within the action limit is an answer too (a dead end), so the wait may give up;
    # a navigation that replaces the document mid-wait ends it as well.
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_function(_CHANGED, timeout=ms)


def _choose(state: _State, role: ControlRole) -> None:
    """The person's choice happens now: later events carry the new phase, `refused_at`/`agreed_at` its seq."""
    recorder = state.recorder
    seq = recorder.next_seq()
    if role in _REFUSALS and state.refused_at is None:
        state.refused_at = seq
        recorder.phase = Phase.REFUSED
    elif role is ControlRole.AGREE and state.agreed_at is None:
        state.agreed_at = seq
        state.agreed_on = recorder.screen
        recorder.phase = Phase.AGREED
    elif state.agreed_at is not None and recorder.screen != state.agreed_on:
        recorder.phase = Phase.ONBOARDING


async def _fill(state: _State, screen: ObservedScreen, signs: PageSigns) -> None:
    """Type the persona into every field it has a value for; a code field needs the flow's code or the page's."""
    for index, observed in enumerate(screen.fields):
        locator = state.page.locator(f'[data-cg-field="{index}"]')
        if index in signs.sms_fields:
            code = state.code or signs.code_on_page
            if code is None:
                raise _End(WalkEnd.SMS_CODE, "observe.end.sms_code", target=screen.url)
            value: str | None = code
        else:
            value = state.persona.value_for(observed.category, observed.input_type)
        if value is None:
            continue
        with contextlib.suppress(PlaywrightError):  # a field the page will not take is left as it is
            if observed.input_type == "select":
                await locator.select_option(index=1, timeout=state.limits.action * 1000)
            else:
                await locator.fill(value, timeout=state.limits.action * 1000)


def _pick(
    screen: ObservedScreen, roles: tuple[ControlRole, ...], within: frozenset[int] = frozenset()
) -> int | None:
    """The most prominent visible control with the first of `roles` that the screen offers; among them,
    those of `within` (indexes) first."""
    for role in roles:
        offered = [(c.area, i) for i, c in enumerate(screen.controls) if c.role is role and c.visible]
        preferred = [o for o in offered if o[1] in within]
        if preferred or offered:
            return max(preferred or offered)[1]
    return None


def _in_main_form(screen: ObservedScreen, signs: PageSigns) -> frozenset[int]:
    """The controls of the form asking for the most kinds of personal data: the one to submit, not a search
    box or a login form (name and password: one kind, credentials) in a sidebar beside it."""
    kinds: dict[int, set[str]] = {}
    for index, observed in enumerate(screen.fields):
        form = signs.field_forms[index] if index < len(signs.field_forms) else -1
        if observed.category is not None and form >= 0:
            kinds.setdefault(form, set()).add(observed.category)
    if not kinds or len(signs.control_forms) != len(screen.controls):
        return frozenset()
    main = max(kinds, key=lambda form: (len(kinds[form]), -form))  # a tie goes to the first on the page
    return frozenset(i for i, form in enumerate(signs.control_forms) if form == main)


def _boxes_to_tick(screen: ObservedScreen, signs: PageSigns) -> list[int]:
    """The unticked consent boxes the page requires: marked required, else those agreeing to the rules.

    A box for something optional (marketing, a recipient) is never ticked unless it is all there is.
    """
    unticked = [
        i for i, c in enumerate(screen.controls) if c.role is ControlRole.CONSENT_BOX and c.checked is False
    ]
    required = [i for i in unticked if i in signs.required_boxes]
    rules = [i for i in unticked if mentions(screen.controls[i].text, catalog().notice.phrases)]
    return required or rules or unticked


async def _tick_required(state: _State, screen: ObservedScreen, signs: PageSigns) -> bool:
    """Tick the consent boxes the page still requires; True when any was ticked (and recorded)."""
    ticked = False
    for index in _boxes_to_tick(screen, signs):
        control = screen.controls[index]
        locator = state.page.locator(f'[data-cg-control="{index}"]')
        with contextlib.suppress(PlaywrightError):
            await locator.check(timeout=state.limits.action * 1000, force=True)
            if state.agreed_at is None:
                _choose(state, ControlRole.AGREE)
            state.ticked.append(control.text)
            state.taps += 1
            ticked = True
    return ticked


async def _step(state: _State, screen: ObservedScreen, signs: PageSigns) -> bool:
    """One move on the current screen; False when there is nothing left to do (home page or dead end)."""
    if signs.captcha:
        raise _End(WalkEnd.CAPTCHA, "observe.end.captcha", target=screen.url)
    if signs.login_wall and not signs.offers_signup:
        raise _End(WalkEnd.LOGIN_WALL, "observe.end.login_wall", target=screen.url)
    if signs.email_link and state.submitted:
        raise _End(WalkEnd.EMAIL_LINK, "observe.end.email_link", target=screen.url)
    if state.path is Path.REFUSE:
        index = _pick(screen, _REFUSALS)
        if index is None:
            return False
        _choose(state, screen.controls[index].role)
        await _click(state, index)
        return True
    index = _pick(screen, (ControlRole.AGREE, ControlRole.SUBMIT), _in_main_form(screen, signs))
    if index is None:
        return False
    if screen.fields:
        await _fill(state, screen, signs)
        state.submitted = True
    role = screen.controls[index].role
    _choose(state, ControlRole.AGREE if role is ControlRole.AGREE or screen.shows_notice else role)
    await _click(state, index)
    return True


async def _walk_screens(state: _State, target: str) -> None:
    try:
        await state.page.goto(target, wait_until="commit", timeout=state.limits.settle * 1000)
    except PlaywrightError as error:
        raise _failure(error, target) from error
    seen: dict[str, int] = {}
    while len(state.screens) < state.limits.max_screens:
        await _settle(state)
        screen, signs = await _read(state)
        mark = _fingerprint(screen, signs)
        seen[mark] = seen.get(mark, 0) + 1
        if seen[mark] == 2 and state.path is Path.ACCEPT and await _tick_required(state, screen, signs):
            pass  # the page did not move on: it wants a box ticked; try again with it ticked
        elif seen[mark] >= 2:
            raise _End(WalkEnd.COMPLETED, "observe.end.dead_end", target=screen.url)
        try:
            moved = await _step(state, screen, signs)
        except PlaywrightError as error:
            raise _failure(error, screen.url) from error
        if not moved and state.path is Path.REFUSE and state.refused_at is None:
            raise _End(WalkEnd.COMPLETED, "observe.end.no_refusal", target=screen.url)
        if not moved:
            raise _End(WalkEnd.COMPLETED, "observe.end.home", target=screen.url)
    raise _End(WalkEnd.COMPLETED, "observe.end.max_screens", limit=state.limits.max_screens)


async def _walk_flow(state: _State, target: str, flow: Flow) -> None:
    try:
        await state.page.goto(target, wait_until="commit", timeout=state.limits.settle * 1000)
        await _settle(state)
        _, signs = await _read(state)
        for step in flow.steps:
            if await _flow_step(state, step, signs):
                await _settle(state)
                _, signs = await _read(state)
    except PlaywrightError as error:
        raise _failure(error, state.page.url) from error
    raise _End(WalkEnd.COMPLETED, "observe.end.flow_done", target=state.page.url)


async def _flow_step(state: _State, step: Step, signs: PageSigns) -> bool:
    """Carry out one scripted step; True when it may have changed the screen."""
    page, ms = state.page, state.limits.action * 1000
    if step.click is not None:
        click = step.click
        if click.role is not None:
            locator = page.get_by_role(click.role, name=click.text)  # type: ignore[arg-type]
        else:
            locator = page.get_by_text(click.text or "")
        role = role_of(click.text or "")
        if role is not None:
            _choose(state, role)
        await locator.first.click(timeout=ms)
        state.taps += 1
        return True
    if step.fill is not None:
        fill = step.fill
        target = page.get_by_label(fill.label) if fill.label else page.locator(f'[name="{fill.name}"]')
        await target.first.fill(fill.value, timeout=ms)
        return False
    if step.wait is not None:
        await page.get_by_text(step.wait.text).first.wait_for(timeout=state.limits.settle * 1000)
        return True
    for index in signs.sms_fields:  # a code step: typed into the code field the screen asks for
        await page.locator(f'[data-cg-field="{index}"]').fill(step.code or "", timeout=ms)
    return False


async def _one_walk(
    path: Path,
    target: str,
    *,
    browser: Browser,
    device: str | None,
    flow: Flow | None,
    evidence_dir: FilePath | None,
    limits: Limits,
    persona: Persona,
    first_party: str,
) -> Walk:
    context = await new_context(browser, device)
    recorder = Recorder(first_party, persona)
    end, detail = WalkEnd.ERROR, None
    state: _State | None = None
    try:
        await recorder.attach(context)
        page = await context.new_page()
        state = _State(
            path, context, page, recorder, evidence_dir, limits, persona, flow.code() if flow else None
        )
        work = _walk_flow(state, target, flow) if flow is not None else _walk_screens(state, target)
        await _bounded(work, limits.walk)
    except _End as stop:
        end, detail = stop.end, stop.detail
    except TimeoutError:
        limit = _End(WalkEnd.TIMEOUT, "observe.end.walk_limit", target=target, limit=limits.walk)
        end, detail = limit.end, limit.detail
    except Exception as error:  # a target's problem must never escape: report it on the walk
        failed = _failure(error, target)
        end, detail = failed.end, failed.detail
    finally:
        if state is not None:
            with contextlib.suppress(Exception):
                await _bounded(recorder.snapshot(context, state.page), limits.action)
        with contextlib.suppress(Exception):
            await _bounded(recorder.settle(), limits.action)
        with contextlib.suppress(Exception):
            await _bounded(context.close(), limits.action)
    requests, cookies, storage, permissions = recorder.sorted()
    return Walk(
        path=path,
        end=end,
        end_detail=detail,
        screens=tuple(state.screens) if state else (),
        requests=tuple(requests),
        cookies=tuple(cookies),
        storage=tuple(storage),
        permissions=tuple(permissions),
        refused_at=state.refused_at if state else None,
        agreed_at=state.agreed_at if state else None,
        ticked=tuple(state.ticked) if state else (),
    )


async def observe_target(
    target: str,
    *,
    browser: Browser,
    device: str | None = None,
    flow: Flow | None = None,
    evidence_dir: FilePath | None = None,
    limits: Limits = Limits(),
    persona: Persona = DEFAULT_PERSONA,
) -> Observation:
    """Walk `target` (refuse, then accept; or the flow) and return everything seen.

    An unknown device is the caller's mistake and raises `UsageError`; anything wrong with the target
    ends a walk with the matching `WalkEnd` instead. An unreachable target is not walked twice.
    """
    started = datetime.now(UTC)
    first_party = site_of(urlsplit(target).hostname or target)
    if evidence_dir is not None:
        evidence_dir.mkdir(parents=True, exist_ok=True)
    paths = (Path.FLOW,) if flow is not None else (Path.REFUSE, Path.ACCEPT)
    walks: list[Walk] = []
    for path in paths:
        walk = await _one_walk(
            path,
            target,
            browser=browser,
            device=device,
            flow=flow,
            evidence_dir=evidence_dir,
            limits=limits,
            persona=persona,
            first_party=first_party,
        )
        walks.append(walk)
        if walk.end is WalkEnd.UNREACHABLE or (walk.end is WalkEnd.TIMEOUT and not walk.screens):
            break
    return Observation(
        target=target,
        device=device,
        started_at=started,
        finished_at=datetime.now(UTC),
        first_party=first_party,
        walks=tuple(walks),
    )


def observe(target: str, **options: Any) -> Observation:
    """`observe_target` with its own browser, launched and closed here: for scripts and a single target."""

    async def run() -> Observation:
        playwright, browser = await launch_browser()
        try:
            return await observe_target(target, browser=browser, **options)
        finally:
            with contextlib.suppress(Exception):
                await browser.close()
            await playwright.stop()

    return asyncio.run(run())
