"""Onboarding over HTTP: only a box sent as true consents, one box per recipient, browse-only without an account."""

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
BASE = f"/v1/subjects/{PERSON}/onboarding"
LOGIN = {"phone": "13800138000", "account-password": "s3cret-pass"}
ANSWERS = {"occupation": "教师", "learning-goal": "考试", "english-level": "B2", "school-stage": "大学"}
BOX_PUSH = "consent:personalized-push"
BOX_A, BOX_B = "consent:share-affiliates:affiliate-app-a", "consent:share-affiliates:affiliate-app-b"


@pytest.fixture
def with_feed(database_url: str) -> Iterator[Served]:
    app = create_app(Settings(manifest=SEED_FIXED, database_url=database_url, catalog=LESSONS))
    keys = {
        (t, s): app.state.keys.create(t, f"{t} {s.value}", [s]).token for t in ("tenant-a",) for s in Scope
    }
    with TestClient(app) as client:
        yield Served(client, keys)


def _register(served: Served) -> None:
    response = served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    assert response.status_code == 204, response.text


def _post(served: Served, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = served.client.post(f"{BASE}{path}", json=body, headers=served.auth())
    assert response.status_code == 200, response.text
    screen: dict[str, Any] = response.json()
    return screen


def _consents(served: Served) -> dict[str, str]:
    facts = served.client.get(f"/v1/subjects/{PERSON}/consents", headers=served.auth(scope=Scope.READ_ONLY))
    return {
        f["purpose"] + (f"@{f['recipient']}" if f["recipient"] else ""): f["status"] for f in facts.json()
    }


def _to_questionnaire(served: Served) -> dict[str, Any]:
    _register(served)
    _post(served, "/screens/welcome", {})
    return _post(served, "/screens/login", {"values": LOGIN})


def test_refusing_everything_optional_still_reaches_home(served: Served) -> None:
    _register(served)
    welcome = served.client.get(BASE, headers=served.auth()).json()
    assert welcome["screen_id"] == "welcome" and welcome["notice"]["notice_id"] == "privacy-policy"
    assert welcome["notice"]["summary"]  # the first layer comes with the screen
    assert {"agree", "browse"} <= set(welcome["actions"])
    login = _post(served, "/screens/welcome", {})
    assert login["screen_id"] == "login"
    assert {(f["data_id"], f["required"], f["skippable"]) for f in login["fields"]} == {
        ("phone", True, False),
        ("account-password", True, False),
    }
    questionnaire = _post(served, "/screens/login", {"values": LOGIN})
    assert questionnaire["screen_id"] == "questionnaire"
    assert all(not f["required"] and f["skippable"] for f in questionnaire["fields"])
    assert all(f["kept_only_with"] == [BOX_PUSH] for f in questionnaire["fields"])
    assert "skip" in questionnaire["actions"] and "refuse" in questionnaire["actions"]
    opt_in = _post(served, "/screens/questionnaire/skip")
    assert opt_in["screen_id"] == "marketing-opt-in"
    boxes = {b["box_id"]: b for b in opt_in["consent_boxes"]}
    assert all(b["pre_ticked"] is False for b in boxes.values()) and len(boxes) == 3
    assert (boxes[BOX_A]["recipient"], boxes[BOX_B]["recipient"]) == ("affiliate-app-a", "affiliate-app-b")
    assert all(len(b["recipients"]) <= 1 and len(b["purposes"]) == 1 for b in boxes.values())
    home = _post(served, "/screens/marketing-opt-in/skip")
    assert home["is_home"] is True and home["fields"] == []
    consents = _consents(served)
    assert consents["personalized-push"] == consents["marketing-sms"] == "refused"


def test_answers_without_the_box_are_not_kept_and_give_no_consent(served: Served) -> None:
    _to_questionnaire(served)
    _post(served, "/screens/questionnaire", {"values": ANSWERS, "locale": "en"})
    assert _consents(served)["personalized-push"] == "refused"
    held = served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=served.auth()).json()
    assert set(ANSWERS).isdisjoint(a["data_id"] for a in held)
    decision = served.client.post(
        "/v1/decide",
        json={"subject": PERSON, "purpose": "personalized-push", "data": ["occupation"]},
        headers=served.auth(),
    ).json()
    assert decision["allowed"] is False


def test_the_ticked_box_is_the_consent_and_keeps_the_answers(served: Served) -> None:
    _to_questionnaire(served)
    _post(served, "/screens/questionnaire", {"values": {"occupation": "教师", BOX_PUSH: True}})
    assert _consents(served)["personalized-push"] == "given"
    held = served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=served.auth()).json()
    assert "occupation" in {a["data_id"] for a in held}


def test_one_tick_consents_to_one_recipient_only(served: Served) -> None:
    _to_questionnaire(served)
    _post(served, "/screens/questionnaire/skip")
    assert _post(served, "/screens/marketing-opt-in", {"values": {BOX_A: True}})["is_home"]
    consents = _consents(served)
    assert consents["share-affiliates@affiliate-app-a"] == "given"
    assert consents["share-affiliates@affiliate-app-b"] == "refused"


def test_a_refused_question_can_be_asked_again_from_settings(served: Served) -> None:
    _to_questionnaire(served)
    _post(served, "/screens/questionnaire/skip")
    reopened = _post(served, "/questions/occupation/reopen")
    assert reopened["screen_id"] == "questionnaire"
    assert [f["data_id"] for f in reopened["fields"]] == ["occupation"]
    assert [b["box_id"] for b in reopened["consent_boxes"]] == [BOX_PUSH]
    assert _consents(served)["personalized-push"] == "refused"  # the refusal stands until a tick


def test_a_necessary_field_left_empty_is_a_422_and_nothing_is_stored(served: Served) -> None:
    _register(served)
    _post(served, "/screens/welcome", {})
    missing = served.client.post(
        f"{BASE}/screens/login", json={"values": {"phone": "13800138000"}}, headers=served.auth()
    )
    assert missing.status_code == 422 and missing.json()["code"] == "runtime.required_missing"
    assert "account-password" in missing.json()["message"]["en"]
    held = served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=served.auth())
    assert held.json() == []
    assert served.client.get(BASE, headers=served.auth()).json()["screen_id"] == "login"


def test_unknown_screens_subjects_and_questions_are_typed_problems(served: Served) -> None:
    _register(served)
    screen = served.client.post(f"{BASE}/screens/welcom", json={}, headers=served.auth())
    assert (screen.status_code, screen.json()["code"]) == (404, "runtime.unknown_screen")
    assert "welcome" in screen.json()["message"]["en"]
    nobody = served.client.get("/v1/subjects/nobody/onboarding", headers=served.auth())
    assert (nobody.status_code, nobody.json()["code"]) == (404, "runtime.unknown_subject")
    question = served.client.post(f"{BASE}/questions/phone-number/reopen", headers=served.auth())
    assert (question.status_code, question.json()["code"]) == (422, "runtime.unknown_data")


def test_a_read_only_key_cannot_answer_skip_or_reopen(served: Served) -> None:
    _register(served)
    read_only = served.auth(scope=Scope.READ_ONLY)
    for path in ("/screens/welcome", "/screens/questionnaire/skip", "/questions/occupation/reopen"):
        response = served.client.post(f"{BASE}{path}", json={}, headers=read_only)
        assert response.status_code == 403, path
    assert served.client.get(BASE, headers=read_only).status_code == 403  # onboarding is the app backend's
    assert _consents(served) == {}


def test_a_visitor_sees_the_notice_and_browses_without_an_account(with_feed: Served) -> None:
    read_only = with_feed.auth(scope=Scope.READ_ONLY)  # nothing personal: any key of the tenant will do
    welcome = with_feed.client.get("/v1/onboarding/welcome", headers=read_only)
    assert welcome.status_code == 200, welcome.text
    assert welcome.json()["screen_id"] == "welcome" and "browse" in welcome.json()["actions"]
    browsing = with_feed.client.get("/v1/browse", params={"limit": 4}, headers=read_only)
    assert browsing.status_code == 200, browsing.text
    body = browsing.json()
    assert body["agree_screen_id"] == "welcome" and body["notice"]["version"] == "2024-01"
    assert body["feed"]["personalized"] is False and len(body["feed"]["items"]) == 4
    assert all(item["matched"] == [] for item in body["feed"]["items"])
    # Nobody was created: the visitor is nobody in particular until they agree.
    assert with_feed.client.get(BASE, headers=with_feed.auth()).status_code == 404
    _register(with_feed)
    assert _post(with_feed, f"/screens/{body['agree_screen_id']}", {})["screen_id"] == "login"


def test_browse_needs_a_key_and_the_feeds_catalog(served: Served) -> None:
    assert served.client.get("/v1/browse").status_code == 401
    missing = served.client.get("/v1/browse", headers=served.auth(scope=Scope.READ_ONLY))
    assert (missing.status_code, missing.json()["code"]) == (404, "feed.misconfigured")
    assert "/v1/browse" in served.client.get("/openapi.json").json()["paths"]
