"""Onboarding over HTTP: necessary fields required, everything else skippable, boxes never pre-ticked."""

from __future__ import annotations

from typing import Any

from consentgate.runtime.apikeys.schemas import Scope
from tests.service.conftest import Served

PERSON = "u-1001"
BASE = f"/v1/subjects/{PERSON}/onboarding"
LOGIN = {"phone": "13800138000", "account-password": "s3cret-pass"}


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


def test_refusing_everything_optional_still_reaches_home(served: Served) -> None:
    _register(served)
    welcome = served.client.get(BASE, headers=served.auth()).json()
    assert welcome["screen_id"] == "welcome" and welcome["notice"]["notice_id"] == "privacy-policy"
    login = _post(served, "/screens/welcome", {})
    assert login["screen_id"] == "login"
    assert {(f["data_id"], f["required"], f["skippable"]) for f in login["fields"]} == {
        ("phone", True, False),
        ("account-password", True, False),
    }
    questionnaire = _post(served, "/screens/login", {"values": LOGIN})
    assert questionnaire["screen_id"] == "questionnaire"
    assert all(not f["required"] and f["skippable"] for f in questionnaire["fields"])
    assert {f["data_id"]: f["purposes"] for f in questionnaire["fields"]}["occupation"] == [
        "personalized-push"
    ]
    assert "skip" in questionnaire["actions"] and "refuse" in questionnaire["actions"]
    opt_in = _post(served, "/screens/questionnaire/skip")
    assert opt_in["screen_id"] == "marketing-opt-in"
    boxes = {b["box_id"]: b for b in opt_in["consent_boxes"]}
    assert all(b["pre_ticked"] is False for b in boxes.values()) and len(boxes) == 2
    assert boxes["consent:share-affiliates"]["recipients"] == ["affiliate-app-a", "affiliate-app-b"]
    home = _post(served, "/screens/marketing-opt-in/skip")
    assert home["is_home"] is True and home["fields"] == []
    consents = _consents(served)
    assert consents["personalized-push"] == consents["marketing-sms"] == "refused"


def test_an_answer_given_on_a_screen_is_a_consent_for_its_purpose(served: Served) -> None:
    _register(served)
    _post(served, "/screens/welcome", {})
    _post(served, "/screens/login", {"values": LOGIN})
    next_screen = _post(served, "/screens/questionnaire", {"values": {"occupation": "教师"}, "locale": "en"})
    assert next_screen["screen_id"] == "marketing-opt-in"
    assert _consents(served)["personalized-push"] == "given"


def test_a_refused_question_can_be_asked_again_from_settings(served: Served) -> None:
    _register(served)
    _post(served, "/screens/welcome", {})
    _post(served, "/screens/login", {"values": LOGIN})
    _post(served, "/screens/questionnaire/skip")
    reopened = _post(served, "/questions/occupation/reopen")
    assert reopened["screen_id"] == "questionnaire"
    assert [f["data_id"] for f in reopened["fields"]] == ["occupation"]
    assert _consents(served)["personalized-push"] == "refused"  # the refusal stands until an answer


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
