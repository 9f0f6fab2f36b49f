"""Walks an app's sign-up flow in a real browser: refusal first, then acceptance, each in a fresh context.

Each screen is read, photographed and its cookies and storage noted; every request and permission ask
is recorded with the phase current when it happened. The walk ends at the home page (nothing left to
choose), a dead end, a barrier (login wall, CAPTCHA, a code it cannot read) or a limit, and says which:
a target's problem never raises out of `observe_target` and never hangs it.

After the walk, in the same context, come two looks beyond the flow: the refusal walk reads the
settings it set again (`settings_check.py`, AVIM 3.5), the acceptance walk looks for the policy from the
screen it landed on (`policy_search.py`, AVIM 1.3). The moves both share live in `_session.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError

from consentgate.observe._session import (
    DEFAULT_LIMITS,
    End,
    Limits,
    WalkState,
    bounded,
    click,
    failure,
    fingerprint,
    read,
    settle,
)
from consentgate.observe.browser import launch_browser, new_context
from consentgate.observe.flow import Flow, Step
from consentgate.observe.keywords import catalog, mentions, role_of
from consentgate.observe.model import (
    ControlRole,
    Observation,
    ObservedScreen,
    Path,
    PermissionRequest,
    Phase,
    PolicySearch,
    SettingCheck,
    SettingSet,
    Walk,
    WalkEnd,
)
from consentgate.observe.parties import site_of
from consentgate.observe.persona import DEFAULT_PERSONA, Persona
from consentgate.observe.policy_search import search_policy
from consentgate.observe.reader import PageSigns
from consentgate.observe.recorder import Recorder
from consentgate.observe.settings_check import denied, recheck, switch_off

__all__ = ["Limits", "observe", "observe_target"]

_REFUSALS = (ControlRole.REFUSE, ControlRole.BROWSE, ControlRole.SKIP)


def _choose(state: WalkState, role: ControlRole) -> None:
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


async def _fill(state: WalkState, screen: ObservedScreen, signs: PageSigns) -> None:
    """Type the persona into every field it has a value for; a code field needs the flow's code or the page's."""
    for index, observed in enumerate(screen.fields):
        locator = state.page.locator(f'[data-cg-field="{index}"]')
        if index in signs.sms_fields:
            code = state.code or signs.code_on_page
            if code is None:
                raise End(WalkEnd.SMS_CODE, "observe.end.sms_code", target=screen.url)
            value: str | None = code
        else:
            value = state.persona.value_for(observed.category, observed.input_type)
        if value is None and not (observed.input_type == "select" and observed.required):
            continue  # a required choice the persona has no answer for still gets its first option
        with contextlib.suppress(PlaywrightError):  # a field the page will not take is left as it is
            if observed.input_type == "select":
                await locator.select_option(index=1, timeout=state.limits.action * 1000)
            elif value is not None:
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


async def _tick_required(state: WalkState, screen: ObservedScreen, signs: PageSigns) -> bool:
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


async def _step(state: WalkState, screen: ObservedScreen, signs: PageSigns) -> bool:
    """One move on the current screen; False when there is nothing left to do (home page or dead end)."""
    if signs.captcha:
        raise End(WalkEnd.CAPTCHA, "observe.end.captcha", target=screen.url)
    if signs.login_wall and not signs.offers_signup:
        raise End(WalkEnd.LOGIN_WALL, "observe.end.login_wall", target=screen.url)
    if signs.email_link and state.submitted:
        raise End(WalkEnd.EMAIL_LINK, "observe.end.email_link", target=screen.url)
    if state.path is Path.REFUSE:
        await switch_off(state, screen)
        index = _pick(screen, _REFUSALS)
        if index is None:
            return False
        _choose(state, screen.controls[index].role)
        await click(state, index)
        return True
    index = _pick(screen, (ControlRole.AGREE, ControlRole.SUBMIT), _in_main_form(screen, signs))
    if index is None:
        return False
    if screen.fields:
        await _fill(state, screen, signs)
        state.submitted = True
    role = screen.controls[index].role
    _choose(state, ControlRole.AGREE if role is ControlRole.AGREE or screen.shows_notice else role)
    await click(state, index)
    return True


async def _walk_screens(state: WalkState, target: str) -> None:
    try:
        await state.page.goto(target, wait_until="commit", timeout=state.limits.settle * 1000)
    except PlaywrightError as error:
        raise failure(error, target) from error
    seen: dict[str, int] = {}
    while len(state.screens) < state.limits.max_screens:
        await settle(state)
        screen, signs = await read(state)
        mark = fingerprint(screen, signs)
        seen[mark] = seen.get(mark, 0) + 1
        if seen[mark] == 2 and state.path is Path.ACCEPT and await _tick_required(state, screen, signs):
            pass  # the page did not move on: it wants a box ticked; try again with it ticked
        elif seen[mark] >= 2:
            raise End(WalkEnd.COMPLETED, "observe.end.dead_end", target=screen.url)
        try:
            moved = await _step(state, screen, signs)
        except PlaywrightError as error:
            raise failure(error, screen.url) from error
        if not moved and state.path is Path.REFUSE and state.refused_at is None:
            raise End(WalkEnd.COMPLETED, "observe.end.no_refusal", target=screen.url)
        if not moved:
            state.landed = True
            raise End(WalkEnd.COMPLETED, "observe.end.home", target=screen.url)
    raise End(WalkEnd.COMPLETED, "observe.end.max_screens", limit=state.limits.max_screens)


async def _walk_flow(state: WalkState, target: str, flow: Flow) -> None:
    try:
        await state.page.goto(target, wait_until="commit", timeout=state.limits.settle * 1000)
        await settle(state)
        _, signs = await read(state)
        for step in flow.steps:
            if await _flow_step(state, step, signs):
                await settle(state)
                _, signs = await read(state)
    except PlaywrightError as error:
        raise failure(error, state.page.url) from error
    raise End(WalkEnd.COMPLETED, "observe.end.flow_done", target=state.page.url)


async def _flow_step(state: WalkState, step: Step, signs: PageSigns) -> bool:
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
    state: WalkState | None = None
    checks: list[SettingCheck] = []
    search: PolicySearch | None = None
    try:
        await recorder.attach(context)
        page = await context.new_page()
        state = WalkState(
            path, context, page, recorder, evidence_dir, limits, persona, flow.code() if flow else None
        )
        work = _walk_flow(state, target, flow) if flow is not None else _walk_screens(state, target)
        try:
            await bounded(work, limits.walk)
        except End as stop:
            end, detail = stop.end, stop.detail
        if end is not WalkEnd.UNREACHABLE:
            with contextlib.suppress(TimeoutError):  # the looks after it never change how the walk ended
                checks, search = await bounded(_after_walk(state, target), limits.walk)
    except End as stop:
        end, detail = stop.end, stop.detail
    except TimeoutError:
        limit = End(WalkEnd.TIMEOUT, "observe.end.walk_limit", target=target, limit=limits.walk)
        end, detail = limit.end, limit.detail
    except Exception as error:  # a target's problem must never escape: report it on the walk
        failed = failure(error, target)
        end, detail = failed.end, failed.detail
    finally:
        if state is not None:
            with contextlib.suppress(Exception):
                await bounded(recorder.snapshot(context, state.page), limits.action)
        with contextlib.suppress(Exception):
            await bounded(recorder.settle(), limits.action)
        with contextlib.suppress(Exception):
            await bounded(context.close(), limits.action)
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
        settings_set=tuple(_settings(state, permissions)),
        setting_checks=tuple(checks),
        policy_search=search,
    )


async def _after_walk(state: WalkState, target: str) -> tuple[list[SettingCheck], PolicySearch | None]:
    """The looks after a walk: its settings read again (refusal), the policy searched from main (acceptance).

    Neither is part of the flow: whatever goes wrong in them leaves the walk as it ended, their answer unknown.
    """
    checks: list[SettingCheck] = []
    search = None
    state.ended_at = state.recorder.next_seq()
    with contextlib.suppress(Exception):
        if state.path is Path.REFUSE:
            checks = await recheck(state, target)
        elif state.path is Path.ACCEPT and state.landed and state.screens:
            search = await search_policy(state, state.screens[-1])
    return checks, search


def _settings(state: WalkState | None, permissions: list[PermissionRequest]) -> list[SettingSet]:
    if state is None or state.path is not Path.REFUSE:
        return []
    asked = [p for p in permissions if state.ended_at is None or p.seq < state.ended_at]
    return sorted([*state.settings_set, *denied(asked)], key=lambda s: s.seq)


async def observe_target(
    target: str,
    *,
    browser: Browser,
    device: str | None = None,
    flow: Flow | None = None,
    evidence_dir: FilePath | None = None,
    limits: Limits = DEFAULT_LIMITS,
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
