"""Issue 12 in Debian's Chromium, through /demo, at a desktop and a phone viewport.

Fill every optional question and tick nothing → home is not personalized, the privacy center shows no
consent and the gate denies. Tick only 关联软件甲 → only it may receive data. Refuse the notice →
browse-only content with no account behind it; agreeing later continues the sign-up. At 390x844 the
notice's buttons follow its key facts in the page itself, never inside a clipped scroll box.
What was recorded is checked in the engine, not only on the page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from consentgate.runtime.consent.models import SubjectRow
from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.ports import SystemClock
from consentgate.runtime.sessions import WebSessions
from consentgate.runtime.sharing.schemas import TransferStatus
from tests.browser.conftest import Shot
from tests.browser.test_flows import Running, running, sign_up

__all__ = ["running"]

ANSWERS = {"occupation": "teacher", "learning-goal": "IELTS", "english-level": "B1", "school-stage": "大学"}
VIEWPORTS = {
    "desktop-1280x900": ({"width": 1280, "height": 900}, "en-US"),
    "phone-390x844": ({"width": 390, "height": 844}, "zh-CN"),
}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A fresh context at each viewport (the phone one reads in Chinese, the desktop one in English)."""
    viewport, locale = VIEWPORTS[request.param]
    context: BrowserContext = browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
    try:
        yield context.new_page()
    finally:
        context.close()


def accounts(running: Running) -> int:
    with running.engine.database.reading() as session:
        return session.scalar(select(func.count()).select_from(SubjectRow)) or 0


def session_cookie(page: Page, running: Running) -> dict[str, object]:
    """What the browser's session holds on the server (the cookie is only a token; it names nobody)."""
    cookie = next((c for c in page.context.cookies() if c["name"] == "consentgate_session"), None)
    if cookie is None:
        return {}
    loaded = WebSessions(running.engine.database, clock=SystemClock()).load(cookie["value"])
    return loaded.data if loaded is not None else {}


def test_filling_every_question_and_ticking_nothing_consents_to_nothing(
    screen: Page, running: Running, shot: Shot
) -> None:
    subject = sign_up(screen, running, shot, answers=ANSWERS)
    expect(screen.locator("#feed-label")).to_have_attribute("data-personalized", "false")
    shot(screen, "4-home-not-personalized")

    screen.goto(running.url("/me/privacy"))
    states = screen.locator("[id^=purpose-][id$=-state]")
    expect(states.first).to_be_visible()
    assert states.count() >= 4  # personalization, marketing, one per affiliated app
    assert {states.nth(i).get_attribute("data-on") for i in range(states.count())} == {"false"}
    expect(screen.locator("#feed-state")).to_have_attribute("data-on", "false")
    shot(screen, "5-privacy-center-no-consent")

    engine = running.engine
    assert not engine.gate.decide(subject, "personalized-push", ["occupation"]).allowed
    assert not any(f.status is EventKind.GIVEN for f in engine.consent.facts(subject).values())
    assert set(ANSWERS).isdisjoint(a.data_id for a in engine.profiles.attributes(subject))


def test_ticking_only_the_first_affiliated_app_lets_only_it_receive_data(
    screen: Page, running: Running, shot: Shot
) -> None:
    subject = sign_up(screen, running, shot, tick=("affiliate-app-a",))
    engine = running.engine
    assert engine.gate.decide(subject, "share-affiliates", ["phone"], "affiliate-app-a").allowed
    assert not engine.gate.decide(subject, "share-affiliates", ["phone"], "affiliate-app-b").allowed
    to_a = engine.sharing.transfer(subject, "share-affiliates", "affiliate-app-a", ["phone"])
    to_b = engine.sharing.transfer(subject, "share-affiliates", "affiliate-app-b", ["phone"])
    assert (to_a.status, to_b.status) == (TransferStatus.DELIVERED, TransferStatus.REFUSED)


def test_refusing_the_notice_browses_without_an_account_and_agreeing_later_works(
    screen: Page, running: Running, shot: Shot
) -> None:
    before = accounts(running)
    screen.goto(running.url("/demo"))
    screen.click("#demo-sign-up")
    summary, agree = screen.locator("#notice-summary"), screen.locator("#action-agree")
    expect(summary).to_be_visible()
    expect(screen.locator("#action-browse")).to_be_visible()
    _buttons_follow_the_key_facts(screen)
    shot(screen, "1-notice-with-browse")

    screen.click("#action-browse")
    expect(screen.locator("#feed-label")).to_have_attribute("data-personalized", "false")
    assert screen.locator(".feed-item").count() > 0
    expect(screen.locator("#browse-agree-button")).to_be_visible()
    shot(screen, "2-browse-only")
    assert accounts(running) == before  # no account, and no cookie naming anybody
    assert "person" not in session_cookie(screen, running)
    assert running.engine.consent.events() == []

    screen.click("#browse-agree-button")
    expect(agree).to_be_visible()
    agree.click()
    expect(screen.locator("input[type=tel]")).to_be_visible()  # the sign-up goes on at the login screen
    shot(screen, "3-agreed-later")
    assert accounts(running) == before + 1
    assert "person" in session_cookie(screen, running)


def _buttons_follow_the_key_facts(page: Page) -> None:
    """The agree and browse buttons come right after the summary in the page, not behind a scroll box."""
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => {
            const s = getComputedStyle(e);
            return ['auto', 'scroll', 'hidden'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
        }).map(e => e.id || e.tagName)"""
    )
    assert clipped == [], clipped
    summary = page.locator("#notice-summary").bounding_box()
    agree = page.locator("#action-agree").bounding_box()
    browse = page.locator("#action-browse").bounding_box()
    assert summary and agree and browse
    below = summary["y"] + summary["height"]
    assert 0 <= agree["y"] - below < 160, (summary, agree)  # nothing long between the facts and the buttons
    assert abs(browse["y"] - agree["y"]) < 60 or browse["y"] > agree["y"]  # beside it, or just under
