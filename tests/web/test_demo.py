"""The demo at /demo: the seed case's app, a fresh account per sign-up, and nothing when not configured."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from consentgate.i18n import message
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import CATALOG, Site
from tests.web.test_onboarding_pages import parse, skip_everything, walk

SESSION_COOKIE = "consentgate_session"


def session_of(client: TestClient) -> dict[str, object]:
    """The session cookie's content (signed, not encrypted: readable by its holder, as documented)."""
    payload = client.cookies[SESSION_COOKIE].split(".", 1)[0]
    held: dict[str, object] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return held


def sign_up(site: Site) -> str:
    """Signs up through the demo page; the new account's id, as the session names it."""
    started = site.post("/demo/start", page="/demo")
    assert started.status_code == 303
    assert started.headers["location"] == "/me/onboarding"
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
    sign_up_button = page.text_by_id["demo-sign-up"].strip()
    assert sign_up_button == message("web.demo_sign_up").zh
    assert page.attrs_by_id["demo-console"]["href"] == "/console"
    assert any(c.form == "/demo/start" and c.get("name") == "csrf_token" for c in page.controls)


def test_signing_up_creates_a_fresh_account_and_starts_onboarding(site: Site) -> None:
    first = sign_up(site)
    welcome = parse(site.client.get("/me/onboarding").text)
    second = sign_up(site)

    assert first.startswith("demo-") and second.startswith("demo-")
    assert first != second
    assert site.engine.consent.known_subject(first) and site.engine.consent.known_subject(second)
    assert welcome.action == "/me/onboarding/welcome"
    assert "notice" in welcome.order


def test_a_demo_user_goes_all_the_way_home(site: Site) -> None:
    subject = sign_up(site)
    walk(site, skip_everything)

    home = parse(site.client.get("/me/home").text)
    assert home.text_by_id["feed-label"].strip() == message("feed.label.not_personalized").zh
    assert not site.engine.feed.is_personalized(subject)
    again = parse(site.client.get("/demo").text)
    assert again.attrs_by_id["demo-continue"]["href"] == "/me/home"  # signed in: the way back in


def test_signing_up_needs_the_form_token(site: Site) -> None:
    site.client.get("/demo")
    refused = site.client.post("/demo/start", follow_redirects=False)

    assert refused.status_code == 403
    assert "person" not in session_of(site.client)
    assert site.client.get("/me/onboarding", follow_redirects=False).status_code == 401


def test_the_demo_page_reads_in_english(site: Site) -> None:
    site.client.get("/lang/en", params={"next": "/demo"})
    page = parse(site.client.get("/demo").text)

    assert page.text_by_id["demo-sign-up"].strip() == "Sign up"
    assert "The case" in page.text_by_id["demo-case"]


def test_there_is_no_demo_without_a_demo_tenant(database_url: str) -> None:
    app = create_app(
        Settings(manifest=SEED_FIXED, database_url=database_url, catalog=CATALOG, demo_tenant=None)
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.get("/demo").status_code == 404
        client.get("/me/signed-out")  # any page starts a session with a form token
        token = session_of(client)["csrf"]
        started = client.post("/demo/start", data={"csrf_token": token}, follow_redirects=False)
        assert started.status_code == 404
        assert "person" not in session_of(client)
