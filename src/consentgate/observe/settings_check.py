"""AVIM 3.5 on the refusal path: the privacy settings the walk set itself, read again after the walk.

A person who refuses also leaves off, or switches off, what a screen offers to switch on: personalized
recommendation, push, marketing SMS (a tick box or a toggle whose words are in the catalog's `settings`).
The walk records each such setting where it set it; once the walk is over it reloads those screens and
the first page, as a person coming back would, and reads the same controls again. The refusal walk never
switches anything on and nobody else acts in its fresh browser context, so a setting found on that the
walk left off was turned on by the app (`SettingCheck.changed`).

Permission prompts the walk denied are recorded too, but not re-read: a web page cannot grant itself a
permission (the browser holds it, and the walker's init script answers every ask), so a denial cannot be
found undone here; an app's own in-page switch for it ("允许定位") is a setting like any other.
"""

from __future__ import annotations

import contextlib

from playwright.async_api import Error as PlaywrightError

from consentgate.observe._session import WalkState, look, settle
from consentgate.observe.keywords import catalog, mentions
from consentgate.observe.model import (
    ObservedControl,
    ObservedScreen,
    PermissionRequest,
    SettingCheck,
    SettingKind,
    SettingSet,
)

OFF, ON, DENIED = "off", "on", "denied"


def is_setting(control: ObservedControl) -> bool:
    """A tick box or toggle (it has a ticked state) whose words name a privacy setting."""
    return control.checked is not None and mentions(control.text, catalog().settings)


async def switch_off(state: WalkState, screen: ObservedScreen) -> None:
    """Every privacy setting on the screen ends up off, as a refusing person leaves it: recorded as set."""
    for index, control in enumerate(screen.controls):
        if not is_setting(control):
            continue
        if control.checked:
            locator = state.page.locator(f'[data-cg-control="{index}"]')
            try:
                if control.tag == "input":
                    await locator.uncheck(timeout=state.limits.action * 1000, force=True)
                else:  # an ARIA switch: tapped once to turn it off
                    await locator.click(timeout=state.limits.action * 1000)
            except PlaywrightError:
                continue  # it would not switch off: the person's setting is not what the walk set
            state.taps += 1
        state.pages[screen.id] = state.page.url
        state.settings_set.append(
            SettingSet(
                seq=state.recorder.next_seq(),
                screen=screen.id,
                url=screen.url,
                setting=control.text,
                kind=SettingKind.BOX,
                state=OFF,
            )
        )


def denied(asks: list[PermissionRequest]) -> list[SettingSet]:
    """The permission prompts of the walk, each denied by the walker's init script."""
    return [
        SettingSet(
            seq=ask.seq,
            screen=ask.screen,
            url="",
            setting=ask.permission,
            kind=SettingKind.PERMISSION,
            state=DENIED,
        )
        for ask in asks
    ]


async def recheck(state: WalkState, first_page: str) -> list[SettingCheck]:
    """Reload each screen where a setting was set, then the first page, and read those settings again."""
    boxes = [s for s in state.settings_set if s.kind is SettingKind.BOX]
    if not boxes:
        return []
    await state.recorder.quiet(state.limits.idle)  # the app has what the last switch sent before a reload
    pages = list(
        dict.fromkeys([*(state.pages[s.screen] for s in boxes if s.screen in state.pages), first_page])
    )
    checks: list[SettingCheck] = []
    for url in pages:
        try:
            await state.page.goto(url, wait_until="commit", timeout=state.limits.settle * 1000)
            await settle(state)
            screen, _ = await look(state, "recheck")
        except Exception:  # a page that will not load again shows nothing: its settings stay unchecked
            continue
        for setting in boxes:
            found = next(
                (c for c in screen.controls if c.checked is not None and c.text == setting.setting), None
            )
            if found is None:
                continue
            checks.append(
                SettingCheck(
                    seq=screen.seq,
                    setting=setting.setting,
                    set_on=setting.screen or "",
                    url=screen.url,
                    person_set=setting.state,
                    found=ON if found.checked else OFF,
                    screenshot=screen.screenshot,
                )
            )
    with contextlib.suppress(Exception):
        await state.recorder.snapshot(state.context, state.page)
    return checks
