"""The home page: reached once onboarding's blocking screens are passed, its feed labelled, and signing out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
from fastapi.testclient import TestClient

from consentgate.i18n import message
from consentgate.runtime.apikeys.schemas import Scope
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import CATALOG, TENANT, Site
from tests.web.pages import Screen, begin, feed_label, parse, skip_everything, walk

HOME = "/me/home"


@contextmanager
def served(
    database_url: str, *, manifest: Path = SEED_FIXED, catalog: Path | None = CATALOG
) -> Iterator[Site]:
    """Another app on the same kind of database, for what the shared `site` is not set up as."""
    app = create_app(
        Settings(manifest=manifest, database_url=database_url, catalog=catalog, demo_tenant=TENANT)
    )
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield Site(client, {})


def sign_up(site: Site) -> None:
    """The demo's front door: the notice, agreed; a fresh account, signed in, at the next screen."""
    started = site.post("/demo/welcome", {"action": "agree"}, page="/demo/welcome")
    assert started.status_code == 303


def personalize(screen: Screen) -> tuple[str, dict[str, str]]:
    names = {str(c.get("name")) for c in screen.fields()}
    if "english-level" in names:
        box = next(str(c.get("name")) for c in screen.boxes() if "personalized-push" in str(c.get("name")))
        return "submit", {"english-level": "B1", "learning-goal": "雅思", box: "yes"}
    return skip_everything(screen)


def test_home_waits_until_the_screens_that_block_it_are_passed(site: Site) -> None:
    begin(site, "newcomer")

    held_back = site.client.get(HOME, follow_redirects=False)
    assert held_back.status_code == 303
    assert held_back.headers["location"] == "/me/onboarding"
    walk(site, skip_everything)
    assert site.client.get(HOME, follow_redirects=False).status_code == 200


def test_every_item_says_why_and_the_label_links_to_the_switch(site: Site) -> None:
    begin(site, "reader")
    walk(site, skip_everything)
    page = site.engine.feed.page("reader", limit=10)
    home = parse(site.client.get(HOME).text)

    items = home.text_by_id["feed-items"]
    for entry in page.items:
        assert entry.item.title.zh in items
        assert entry.reason.zh in items
    assert home.attrs_by_id["feed-settings-link"]["href"] == "/me/privacy"
    assert home.text_by_id["feed-settings-link"].strip() == message("feed.settings.turn_on").zh


def test_switching_personalization_changes_the_label_on_the_next_load(site: Site) -> None:
    begin(site, "switcher")
    walk(site, personalize)
    assert feed_label(site) == (message("feed.label.personalized").zh, "true")

    site.engine.feed.set_mode("switcher", personalized=False)
    assert feed_label(site) == (message("feed.label.not_personalized").zh, "false")

    site.engine.feed.set_mode("switcher", personalized=True)
    assert feed_label(site) == (message("feed.label.personalized").zh, "true")


def test_the_home_page_reads_in_english_when_the_browser_asks(site: Site) -> None:
    begin(site, "visitor")
    walk(site, skip_everything)
    english = parse(site.client.get(HOME, headers={"Accept-Language": "en"}).text)

    assert english.text_by_id["feed-label"].strip() == "Not personalized"
    assert english.text_by_id["nav-privacy"].strip() == "Privacy center"


def test_optional_screens_that_do_not_block_home_stay_open_but_offered(
    database_url: str, tmp_path: Path
) -> None:
    relaxed = tmp_path / "relaxed.yaml"
    text = SEED_FIXED.read_text("utf-8")
    marker = "  - id: marketing-opt-in\n"
    stated = marker + "    notice: privacy-policy\n    blocks_home: true\n"
    assert stated in text
    relaxed.write_text(
        text.replace(stated, stated.replace("blocks_home: true", "blocks_home: false")), "utf-8"
    )
    with served(database_url, manifest=relaxed) as site:
        sign_up(site)
        for _ in range(2):  # login, questionnaire: each blocks home (the notice was agreed at sign-up)
            screen = parse(site.client.get("/me/onboarding").text)
            action, values = skip_everything(screen)
            site.client.post(screen.action, data={"csrf_token": screen.csrf, "action": action, **values})

        home = site.client.get(HOME, follow_redirects=False)
        assert home.status_code == 200
        assert parse(home.text).attrs_by_id["questions-open-link"]["href"] == "/me/onboarding"
        assert parse(site.client.get("/me/onboarding").text).action.endswith("/marketing-opt-in")


def test_without_a_content_catalog_home_has_no_feed(database_url: str) -> None:
    with served(database_url, catalog=None) as site:
        sign_up(site)
        walk(site, skip_everything)
        home = site.client.get(HOME)

        assert home.status_code == 200
        screen = parse(home.text)
        assert screen.text_by_id["no-feed"].strip() == message("web.home_no_feed").zh
        assert "feed-label" not in screen.text_by_id


def test_signing_out_ends_the_session_and_says_so(site: Site) -> None:
    begin(site, "goer")
    walk(site, skip_everything)

    left = site.post("/me/sign-out", page=HOME)
    assert left.status_code == 303
    assert left.headers["location"] == "/demo"
    front = parse(site.client.get("/demo").text)
    assert message("web.home_signed_out").zh in front.html
    assert site.client.get(HOME, follow_redirects=False).status_code == 401
    assert site.engine.consent.known_subject("goer")  # the session ended, not the account


def test_signing_out_needs_the_form_token(site: Site) -> None:
    begin(site, "stayer")
    walk(site, skip_everything)

    refused = site.client.post("/me/sign-out", follow_redirects=False)
    assert refused.status_code == 403
    assert site.client.get(HOME, follow_redirects=False).status_code == 200


def test_home_needs_a_signed_in_person(site: Site) -> None:
    shown = site.client.get(HOME, follow_redirects=False)

    assert shown.status_code == 401
    assert message("service.not_signed_in").zh in shown.text


def test_outside_the_demo_signing_out_lands_on_a_page_of_its_own(site: Site) -> None:
    keys = site.client.app.state.keys  # type: ignore[attr-defined]
    other = {"Authorization": f"Bearer {keys.create('other-app', 'web', [Scope.APP_BACKEND]).token}"}
    site.client.post("/v1/subjects", json={"subject": "elsewhere"}, headers=other).raise_for_status()
    link = site.client.post("/v1/subjects/elsewhere/web-link", json={"page": "home"}, headers=other)
    url = httpx.URL(link.json()["url"])
    site.client.get(f"{url.path}?{url.query.decode()}")

    left = site.post("/me/sign-out", page="/me/onboarding")
    assert left.status_code == 303
    assert left.headers["location"] == "/me/signed-out"
    page = parse(site.client.get("/me/signed-out").text)
    assert message("web.home_signed_out_body").zh in page.text_by_id["main"]
    assert site.client.get("/me/onboarding", follow_redirects=False).status_code == 401
