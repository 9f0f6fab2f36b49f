"""Profiles over HTTP: a value is stored for purposes, and a read releases only what the gate allows now."""

from __future__ import annotations

from typing import Any

from consentgate.runtime.apikeys.schemas import Scope
from tests.service.conftest import Served

PERSON = "u-1001"
PHONE = "13800138000"


def _register(served: Served) -> None:
    response = served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth())
    assert response.status_code == 204, response.text


def _set(served: Served, data_id: str, value: Any, purposes: list[str]) -> Any:
    return served.client.put(
        f"/v1/subjects/{PERSON}/attributes/{data_id}",
        json={"value": value, "purposes": purposes},
        headers=served.auth(),
    )


def _read(served: Served, purpose: str) -> Any:
    return served.client.get(
        f"/v1/subjects/{PERSON}/profile", params={"purpose": purpose}, headers=served.auth()
    )


def _consent(served: Served, decision: str) -> None:
    served.consent(PERSON, "marketing-sms", decision)


def test_a_value_reaches_another_purpose_only_while_its_consent_lives(served: Served) -> None:
    _register(served)
    stored = _set(served, "phone", PHONE, ["online-courses"])
    assert stored.status_code == 200, stored.text
    assert stored.json()["data_id"] == "phone" and stored.json()["source"] == "typed"
    assert _read(served, "online-courses").json() == {"purpose": "online-courses", "values": {"phone": PHONE}}
    assert _read(served, "marketing-sms").json()["values"] == {}
    _consent(served, "give")
    assert _read(served, "marketing-sms").json()["values"] == {"phone": PHONE}
    _consent(served, "withdraw")
    assert _read(served, "marketing-sms").json()["values"] == {}


def test_everything_held_is_listed_whatever_its_purpose(served: Served) -> None:
    _register(served)
    _set(served, "phone", PHONE, ["online-courses"])
    _set(served, "occupation", "教师", ["personalized-push"])  # kept, though no consent releases it
    replaced = _set(served, "occupation", "程序员", ["personalized-push"])
    held = served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=served.auth()).json()
    assert {a["data_id"]: a["value"] for a in held} == {"phone": PHONE, "occupation": "程序员"}
    assert replaced.json()["attribute_id"] in {a["attribute_id"] for a in held}
    assert _read(served, "personalized-push").json()["values"] == {}


def test_unknown_items_purposes_and_subjects_are_typed_problems(served: Served) -> None:
    _register(served)
    item = _set(served, "phone-number", PHONE, ["online-courses"])
    assert (item.status_code, item.json()["code"]) == (422, "runtime.unknown_data")
    purpose = _set(served, "phone", PHONE, ["online-course"])
    assert (purpose.status_code, purpose.json()["code"]) == (422, "runtime.unknown_purpose")
    assert _read(served, "marketing").json()["code"] == "runtime.unknown_purpose"
    nobody = served.client.get("/v1/subjects/nobody/attributes", headers=served.auth())
    assert (nobody.status_code, nobody.json()["code"]) == (404, "runtime.unknown_subject")
    no_purpose = _set(served, "phone", PHONE, [])
    assert (no_purpose.status_code, no_purpose.json()["code"]) == (422, "service.invalid_request")
    event = served.client.put(
        f"/v1/subjects/{PERSON}/attributes/occupation",
        json={"value": "教师", "purposes": ["personalized-push"], "consent_event_id": "no-such-event"},
        headers=served.auth(),
    )
    assert (event.status_code, event.json()["code"]) == (422, "runtime.unknown_consent_event")


def test_a_read_only_key_neither_stores_nor_reads_values(served: Served) -> None:
    _register(served)
    read_only = served.auth(scope=Scope.READ_ONLY)
    stored = served.client.put(
        f"/v1/subjects/{PERSON}/attributes/phone",
        json={"value": PHONE, "purposes": ["online-courses"]},
        headers=read_only,
    )
    assert stored.status_code == 403
    _set(served, "phone", PHONE, ["online-courses"])
    profile = served.client.get(
        f"/v1/subjects/{PERSON}/profile", params={"purpose": "online-courses"}, headers=read_only
    )
    assert profile.status_code == 403 and PHONE not in profile.text
    assert served.client.get(f"/v1/subjects/{PERSON}/attributes", headers=read_only).status_code == 403
