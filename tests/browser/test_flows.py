"""The first four browser scenarios (issue 5), in Debian's Chromium against the service on 127.0.0.1.

Consent, sharing per recipient and browse-only mode (issue 12) are in `test_consent_flows.py`.

They run on SQLite only: every page's behaviour is also tested on PostgreSQL in tests/web; what the
browser adds is the real thing (cookies, redirects, forms, htmx) end to end. Screenshots of each step go
to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from consentgate.runtime.engine import Engine
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.browser.conftest import LiveServer, Shot
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import backdated_request

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "demo-app" / "lessons.yaml"
TENANT = "demo"


@dataclass
class Running:
    base: str
    engine: Engine
    admin_key: str

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def running(tmp_path: Path, live_server: LiveServer) -> Iterator[Running]:
    app = create_app(
        Settings(
            manifest=SEED_FIXED,
            database_url=f"sqlite:///{tmp_path / 'browser.db'}",
            catalog=CATALOG,
            demo_tenant=TENANT,
        )
    )
    admin = app.state.keys.create(TENANT, "browser test operator", ["admin"]).token
    base = live_server(app)
    yield Running(base, app.state.engines.get(TENANT), admin)


def sign_up(
    page: Page,
    running: Running,
    shot: Shot,
    answers: dict[str, str] | None = None,
    tick: tuple[str, ...] = (),
) -> str:
    """/demo → sign up → the notice → phone and password → each optional screen: fill `answers` where
    asked, tick the boxes whose name holds one of `tick`, and continue, else skip. Returns the account id."""
    page.goto(running.url("/demo"))
    page.click("#demo-sign-up")
    expect(page.locator("#notice")).to_be_visible()
    shot(page, "1-notice-first")
    page.click("#action-agree")
    page.fill("input[type=tel]", "13800000009")
    page.fill("input[type=password]", "correct horse battery staple")
    shot(page, "2-only-necessary-fields-required")
    page.click("#action-submit")
    expect(page.locator("#action-skip")).to_be_visible()  # the first optional screen
    step = 0
    while page.locator("#action-skip").count():
        step += 1
        assert page.locator("input[type=checkbox]:checked").count() == 0  # nothing pre-ticked, ever
        form = page.locator("#onboarding-form").get_attribute("action")
        asked = {
            name: value for name, value in (answers or {}).items() if page.locator(f'[name="{name}"]').count()
        }
        for name, value in asked.items():
            page.fill(f'[name="{name}"]', value)
        boxes = page.locator("input[type=checkbox]")
        ticked = 0
        for index in range(boxes.count()):
            if any(fragment in (boxes.nth(index).get_attribute("name") or "") for fragment in tick):
                boxes.nth(index).check()
                ticked += 1
        shot(page, f"3-optional-screen-{step}")
        page.click("#action-submit" if asked or ticked else "#action-skip")
        expect(page.locator(f'form[action="{form}"]')).to_have_count(0)  # the next screen is shown
    expect(page.locator("#feed-label")).to_be_visible()
    subjects = [s for s in running.engine.consent.projection() if s.startswith("demo-")]
    assert len(subjects) == 1
    return subjects[0]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_new_user_skips_every_optional_question_and_reaches_a_non_personalized_home(
    browser: Browser, running: Running, shot: Shot, javascript: bool
) -> None:
    context = browser.new_context(locale="en-US", java_script_enabled=javascript)
    page = context.new_page()
    try:
        subject = sign_up(page, running, shot)
        expect(page.locator("#feed-label")).to_contain_text("Not personalized")
        shot(page, "4-home-not-personalized")
    finally:
        context.close()
    assert not running.engine.feed.page(subject).personalized
    assert running.engine.profiles.attributes(subject) == [] or all(
        a.data_id in {"phone", "account-password"} for a in running.engine.profiles.attributes(subject)
    )


def test_switching_personalization_in_the_privacy_center_changes_the_feed_label_on_the_next_load(
    page: Page, running: Running, shot: Shot
) -> None:
    # Answering and ticking 「我同意：个性化推荐」: this person starts personalized.
    answers = {"english-level": "B1", "occupation": "teacher"}
    subject = sign_up(page, running, shot, answers=answers, tick=("personalized-push",))
    expect(page.locator("#feed-label")).to_have_text("Personalized")
    for turn, label in (("off", "Not personalized"), ("on", "Personalized")):
        page.goto(running.url("/me/privacy#personalization"))
        switch = page.locator("#feed-switch")
        expect(switch).to_contain_text(f"Turn personalization {turn}")
        shot(page, f"privacy-before-turning-{turn}")
        switch.click()
        expect(page.locator("#feed-switch")).not_to_contain_text(f"Turn personalization {turn}")
        page.goto(running.url("/me/home"))
        expect(page.locator("#feed-label")).to_have_text(label)
        shot(page, f"home-after-turning-{turn}")
        assert running.engine.feed.page(subject).personalized is (turn == "on")


def test_a_delete_request_runs_to_done_and_the_users_data_is_gone(
    page: Page, running: Running, shot: Shot, tmp_path: Path
) -> None:
    subject = sign_up(page, running, shot)
    assert running.engine.profiles.attributes(subject)  # the phone number is held
    page.goto(running.url("/me/privacy#rights"))
    page.click("#delete-button")
    expect(page.locator("#confirm-warning")).to_be_visible()
    shot(page, "delete-asks-first")
    assert running.engine.consent.known_subject(subject)  # asking is not doing
    page.click("#confirm-button")
    expect(page.locator("#deleted-status")).to_be_visible()
    shot(page, "delete-done-certificate")
    assert not running.engine.consent.known_subject(subject)
    assert int(page.locator("#erased-total").inner_text()) > 0
    database = (tmp_path / "browser.db").read_bytes()
    assert b"13800000009" not in database and subject.encode() not in database
    page.goto(running.url("/me/privacy"))
    assert page.locator("#held").count() == 0  # signed out: nothing of theirs is shown to anyone


def test_the_operator_sees_the_overdue_request_first(page: Page, running: Running, shot: Shot) -> None:
    fresh = backdated_request(running.engine, "fresh-person", "copy")
    late = backdated_request(running.engine, "late-person", "delete", days_ago=40)
    page.goto(running.url("/console"))
    page.fill("#api-key", running.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#sign-out")).to_be_visible()  # signed in: the session is set before moving on
    page.goto(running.url("/console/requests"))
    rows = page.locator("#requests tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-request-id", late.request_id)
    expect(rows.first).to_have_class("overdue")
    expect(rows.nth(1)).to_have_attribute("data-request-id", fresh.request_id)
    shot(page, "console-overdue-first")
