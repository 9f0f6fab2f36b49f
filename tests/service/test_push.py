"""Push over HTTP: an admin plans and sends, each person's variant decided at the gate; anyone may follow."""

from __future__ import annotations

from typing import Any

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.push.fakes import InMemoryTransport
from tests.service.conftest import Served

CONSENTING, OTHER = "u-1001", "u-1002"
CAMPAIGN: dict[str, Any] = {
    "campaign_id": "spring-lessons",
    "title": "Spring lessons",
    "generic": {
        "title": {"zh": "春季新课", "en": "Spring lessons"},
        "body": {"zh": "新课程已上线", "en": "New lessons are out"},
    },
    "personalized": {
        "title": {"zh": "春季新课", "en": "Spring lessons"},
        "body": {"zh": "适合{occupation}的新课", "en": "New lessons for a {occupation}"},
    },
}


def _people(served: Served) -> None:
    for subject in (CONSENTING, OTHER):
        assert (
            served.client.post("/v1/subjects", json={"subject": subject}, headers=served.auth()).status_code
            == 204
        )
        stored = served.client.put(
            f"/v1/subjects/{subject}/attributes/occupation",
            json={"value": "教师", "purposes": ["personalized-push"]},
            headers=served.auth(),
        )
        assert stored.status_code == 200, stored.text
    served.consent(CONSENTING, "personalized-push")


def _plan(served: Served, campaign: dict[str, Any] = CAMPAIGN, scope: Scope = Scope.ADMIN) -> Any:
    return served.client.post("/v1/push/campaigns", json=campaign, headers=served.auth(scope=scope))


def _transport(served: Served) -> InMemoryTransport:
    transport = served.client.app.state.engines.get("tenant-a").push_transport  # type: ignore[attr-defined]
    assert isinstance(transport, InMemoryTransport)
    return transport


def test_only_the_consenting_person_gets_the_personalized_push(served: Served) -> None:
    _people(served)
    planned = _plan(served)
    assert planned.status_code == 201, planned.text
    assert planned.json() | {"created_at": None} == {
        "campaign_id": "spring-lessons",
        "purpose": "personalized-push",
        "created_at": None,
        "personalized": 1,
        "generic": 1,
        "planned": 2,
        "complete": True,
    }
    status = served.client.get(
        "/v1/push/campaigns/spring-lessons", headers=served.auth(scope=Scope.READ_ONLY)
    )
    assert status.json() == planned.json()
    sent = served.client.post(
        "/v1/push/campaigns/spring-lessons/send", headers=served.auth(scope=Scope.ADMIN)
    )
    assert sent.status_code == 200, sent.text
    assert (sent.json()["sent"], sent.json()["failed"], sent.json()["downgraded"]) == (2, 0, 0)
    bodies = {m.subject: m.body.en for m in _transport(served).messages}
    assert bodies == {CONSENTING: "New lessons for a 教师", OTHER: "New lessons are out"}
    again = served.client.post(
        "/v1/push/campaigns/spring-lessons/send", headers=served.auth(scope=Scope.ADMIN)
    )
    assert again.json()["sent"] == 0 and len(_transport(served).messages) == 2  # nothing sent twice


def test_campaign_errors_are_typed_problems(served: Served) -> None:
    _people(served)
    unknown = served.client.get("/v1/push/campaigns/autumn", headers=served.auth(scope=Scope.READ_ONLY))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "push.unknown_campaign")
    not_sent = served.client.post("/v1/push/campaigns/autumn/send", headers=served.auth(scope=Scope.ADMIN))
    assert not_sent.status_code == 404
    personal_generic = {**CAMPAIGN, "generic": CAMPAIGN["personalized"]}
    invalid = _plan(served, personal_generic)
    assert (invalid.status_code, invalid.json()["code"]) == (422, "push.invalid_campaign")
    assert _plan(served).status_code == 201
    conflict = _plan(served, {**CAMPAIGN, "title": "Another campaign"})
    assert (conflict.status_code, conflict.json()["code"]) == (409, "push.campaign_conflict")


def test_only_an_admin_key_plans_or_sends(served: Served) -> None:
    _people(served)
    for scope in (Scope.READ_ONLY, Scope.APP_BACKEND):
        assert _plan(served, scope=scope).status_code == 403, scope
    _plan(served)
    for scope in (Scope.READ_ONLY, Scope.APP_BACKEND):
        sent = served.client.post("/v1/push/campaigns/spring-lessons/send", headers=served.auth(scope=scope))
        assert sent.status_code == 403, scope
    assert _transport(served).messages == []
