"""The demo at /demo: the notice before any account, browse-only without one, a fresh account on agreeing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consentgate.i18n import message
from consentgate.runtime.consent.models import SubjectRow
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import CATALOG, Site, session_of
from tests.web.pages import parse, skip_everything, walk

WELCOME = "/demo/welcome"


def subjects(site: Site) -> int:
    with site.engine.database.reading() as session:
        return session.scalar(select(func.count()).select_from(SubjectRow)) or 0


def agree(site: Site) -> str:
    """Agrees to the notice on the demo's welcome page; the new account's id, as the session names it."""
    agreed = site.post(WELCOME, {"action": "agree"}, page=WELCOME)
    assert agreed.status_code == 303
    assert agreed.headers["location"] == "/me/onboarding"
    person = session_of(site.client)["person"]
    assert isinstance(person, dict)
    assert person["tenant"] == "demo"
    return str(person["subject"])


def test_the_demo_page_presents_the_app_and_the_ways_in(site: Site) -> None:
    shown = site.client.get("/demo")

    assert shown.status_code == 200
    page = parse(shown.text)
    assert site.engine.manifest.app.name in page.text_by_id["main"]
    assert "(2022)京04民终494号" in page.text_by_id["main"]
    assert message("web.demo_now_browse").zh in page.text_by_id["main"]
    sign_up_button = page.text_by_id["demo-sign-up"].strip()
    assert sign_up_button == message("web.demo_sign_up").zh
    assert page.attrs_by_id["demo-console"]["href"] == "/console"
    assert any(c.form == WELCOME and c.get("id") == "demo-sign-up" for c in page.controls)


def test_the_notice_comes_before_any_account_and_offers_browse_beside_agree(site: Site) -> None:
    before = subjects(site)
    welcome = parse(site.client.get(WELCOME).text)

    assert subjects(site) == before  # reading the notice creates nobody
    assert "person" not in session_of(site.client)
    assert welcome.text_by_id["notice-summary"].strip()
    buttons = {str(c.get("value")): c.text.strip() for c in welcome.controls if c.get("name") == "action"}
    assert buttons == {
        "agree": message("web.onboarding_agree").zh,
        "browse": message("web.onboarding_browse").zh,
    }
    assert "nav-privacy" not in welcome.text_by_id  # no account: no account links


def test_browsing_creates_no_account_and_agreeing_later_continues_the_sign_up(site: Site) -> None:
    before = subjects(site)
    browsed = site.post(WELCOME, {"action": "browse"}, page=WELCOME)
    assert browsed.status_code == 303 and browsed.headers["location"] == "/demo/browse"

    browsing = parse(site.client.get("/demo/browse").text)
    assert browsing.attrs_by_id["feed-label"]["data-personalized"] == "false"
    assert browsing.html.count('class="card feed-item"') == 10
    assert any(c.form == WELCOME and c.get("id") == "browse-agree-button" for c in browsing.controls)
    assert subjects(site) == before
    assert "person" not in session_of(site.client)  # no cookie naming anybody
    site.engine.auditlog.flush()
    assert not [r for r in site.engine.auditlog.records(limit=10_000) if r.kind.startswith("onboarding.")]

    subject = agree(site)  # later: back to the notice, agree, and the sign-up goes on
    assert subjects(site) == before + 1
    assert site.engine.onboarding.next_screen(subject).screen_id == "login"


def test_agreeing_creates_a_fresh_account_per_sign_up_past_the_notice(site: Site) -> None:
    first = agree(site)
    login = parse(site.client.get("/me/onboarding").text)
    second = agree(site)

    assert first.startswith("demo-") and second.startswith("demo-")
    assert first != second
    assert site.engine.consent.known_subject(first) and site.engine.consent.known_subject(second)
    assert login.action == "/me/onboarding/login"
    assert login.order[0] == "notice" and "notice-summary" not in login.text_by_id  # shown once


def test_a_demo_user_goes_all_the_way_home(site: Site) -> None:
    subject = agree(site)
    walk(site, skip_everything)

    home = parse(site.client.get("/me/home").text)
    assert home.text_by_id["feed-label"].strip() == message("feed.label.not_personalized").zh
    assert not site.engine.feed.is_personalized(subject)
    again = parse(site.client.get("/demo").text)
    assert again.attrs_by_id["demo-continue"]["href"] == "/me/home"  # signed in: the way back in


def test_agreeing_needs_the_form_token(site: Site) -> None:
    site.client.get(WELCOME)
    before = subjects(site)
    refused = site.client.post(WELCOME, data={"action": "agree"}, follow_redirects=False)

    assert refused.status_code == 403
    assert "person" not in session_of(site.client)
    assert subjects(site) == before
    assert site.client.get("/me/onboarding", follow_redirects=False).status_code == 401


def test_a_tampered_action_records_nothing(site: Site) -> None:
    before = subjects(site)
    tampered = site.post(WELCOME, {"action": "skip"}, page=WELCOME)

    assert tampered.status_code == 303 and tampered.headers["location"] == WELCOME
    assert subjects(site) == before


def test_the_demo_page_reads_in_english(site: Site) -> None:
    site.client.get("/lang/en", params={"next": "/demo"})
    page = parse(site.client.get("/demo").text)

    assert page.text_by_id["demo-sign-up"].strip() == "Sign up"
    assert "The case" in page.text_by_id["demo-case"]
    browsing = parse(site.client.get("/demo/browse").text)
    assert browsing.text_by_id["browse-agree-button"].strip() == "Agree and sign up"


def test_there_is_no_demo_without_a_demo_tenant(database_url: str) -> None:
    app = create_app(
        Settings(manifest=SEED_FIXED, database_url=database_url, catalog=CATALOG, demo_tenant=None)
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        for path in ("/demo", WELCOME, "/demo/browse"):
            assert client.get(path).status_code == 404, path
        client.get("/me/signed-out")  # any page starts a session with a form token
        token = session_of(client)["csrf"]
        started = client.post(WELCOME, data={"csrf_token": token, "action": "agree"}, follow_redirects=False)
        assert started.status_code == 404
        assert "person" not in session_of(client)
