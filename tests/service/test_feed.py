"""The feed over HTTP: a page says whether it is personalized, and the switch changes the very next page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.service.conftest import Served

LESSONS = Path(__file__).parents[2] / "examples" / "demo-app" / "lessons.yaml"
PERSON = "u-1001"
FEED = f"/v1/subjects/{PERSON}/feed"


@pytest.fixture
def with_feed(database_url: str) -> Iterator[Served]:
    """The service as `CONSENTGATE_CATALOG` starts it: with the demo app's lessons."""
    app = create_app(Settings(manifest=SEED_FIXED, database_url=database_url, catalog=LESSONS))
    keys = {
        (t, s): app.state.keys.create(t, f"{t} {s.value}", [s]).token for t in ("tenant-a",) for s in Scope
    }
    with TestClient(app) as client:
        yield Served(client, keys)


def _person(served: Served, occupation: str | None = None) -> None:
    response = served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    assert response.status_code == 204, response.text
    if occupation is not None:
        stored = served.client.put(
            f"/v1/subjects/{PERSON}/attributes/occupation",
            json={"value": occupation, "purposes": ["personalized-push"]},
            headers=served.auth(),
        )
        assert stored.status_code == 200, stored.text


def _switch(served: Served, on: bool) -> dict[str, Any]:
    response = served.client.put(f"{FEED}/personalization", json={"personalized": on}, headers=served.auth())
    assert response.status_code == 200, response.text
    mode: dict[str, Any] = response.json()
    return mode


def _page(served: Served) -> dict[str, Any]:
    response = served.client.get(FEED, params={"limit": 5}, headers=served.auth())
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_the_switch_turns_personalization_on_and_off_for_the_next_page(with_feed: Served) -> None:
    _person(with_feed, occupation="教师")
    generic = _page(with_feed)
    assert generic["personalized"] is False and generic["label"]["zh"] and generic["label"]["en"]
    assert all(item["matched"] == [] for item in generic["items"])
    on = _switch(with_feed, True)
    assert on["changed"] is True and on["consent_event_id"]
    personal = _page(with_feed)
    assert personal["personalized"] is True and personal["label"] != generic["label"]
    assert any("occupation" in item["matched"] for item in personal["items"])
    assert personal["items"][0]["reason"]["zh"] and personal["settings_link"]
    assert _switch(with_feed, True)["changed"] is False  # already on: nothing written
    off = _switch(with_feed, False)
    assert off == {"personalized": False, "changed": True, "consent_event_id": off["consent_event_id"]}
    after = _page(with_feed)
    assert after["personalized"] is False and after["label"] == generic["label"]


def test_a_live_consent_without_answers_is_not_labelled_personalized(with_feed: Served) -> None:
    _person(with_feed)
    _switch(with_feed, True)
    assert _page(with_feed)["personalized"] is False


def test_bad_limits_and_unknown_subjects_are_problems(with_feed: Served) -> None:
    _person(with_feed)
    too_many = with_feed.client.get(FEED, params={"limit": 1000}, headers=with_feed.auth())
    assert (too_many.status_code, too_many.json()["code"]) == (422, "service.invalid_request")
    nobody = with_feed.client.put(
        "/v1/subjects/nobody/feed/personalization", json={"personalized": True}, headers=with_feed.auth()
    )
    assert (nobody.status_code, nobody.json()["code"]) == (404, "runtime.unknown_subject")


def test_a_service_without_a_catalog_answers_that_it_has_no_feed(served: Served) -> None:
    served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    response = served.client.get(FEED, headers=served.auth())
    assert (response.status_code, response.json()["code"]) == (404, "feed.misconfigured")
    assert response.headers["content-type"] == "application/problem+json"


def test_a_read_only_key_cannot_switch_or_read_the_feed(with_feed: Served) -> None:
    _person(with_feed, occupation="教师")
    read_only = with_feed.auth(scope=Scope.READ_ONLY)
    switched = with_feed.client.put(f"{FEED}/personalization", json={"personalized": True}, headers=read_only)
    assert switched.status_code == 403
    assert with_feed.client.get(FEED, headers=read_only).status_code == 403
    assert _page(with_feed)["personalized"] is False
