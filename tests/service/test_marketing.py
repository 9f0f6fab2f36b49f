"""Marketing over HTTP: messages reach only consenting people, and the link in them unsubscribes, keyless.

The service's clock is held at noon in Beijing: a test run at night would otherwise see every message
deferred by the quiet hours (21:00–08:00) and no link to follow.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.engine import Engine
from consentgate.runtime.messaging.fakes import InMemorySender
from consentgate.runtime.ports import FakeClock
from consentgate.service.routers.marketing import UNSUBSCRIBE_PATH
from tests.service.conftest import Served

PERSON, SILENT = "u-1001", "u-1002"
PHONE = "13800138000"
CAMPAIGN = {
    "campaign_id": "spring-sale",
    "channel": "sms",
    "text": {"zh": "春季课程八折", "en": "Spring lessons 20% off"},
}
_LINK = re.compile(r"/unsubscribe/([A-Za-z0-9_\-]+)")


@pytest.fixture
def engine(served: Served, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Tenant A's runtime, its clock at 12:00 Beijing time."""
    engine: Engine = served.client.app.state.engines.get("tenant-a")  # type: ignore[attr-defined]
    monkeypatch.setattr(engine.clock, "now", FakeClock(datetime(2026, 1, 5, 4, 0, tzinfo=UTC)).now)
    return engine


def _admin(served: Served) -> dict[str, str]:
    return served.auth(scope=Scope.ADMIN)


def _people(served: Served) -> None:
    """PERSON gave marketing consent on a phone held for the course; SILENT has a phone and no consent."""
    for subject in (PERSON, SILENT):
        assert (
            served.client.post("/v1/subjects", json={"subject": subject}, headers=served.auth()).status_code
            == 204
        )
        stored = served.client.put(
            f"/v1/subjects/{subject}/attributes/phone",
            json={"value": PHONE if subject == PERSON else "13900139000", "purposes": ["online-courses"]},
            headers=served.auth(),
        )
        assert stored.status_code == 200, stored.text
    served.consent(PERSON, "marketing-sms")


def _send(served: Served) -> dict[str, Any]:
    created = served.client.post("/v1/marketing/campaigns", json=CAMPAIGN, headers=_admin(served))
    assert created.status_code == 201, created.text
    report = served.client.post("/v1/marketing/campaigns/spring-sale/send", headers=_admin(served))
    assert report.status_code == 200, report.text
    body: dict[str, Any] = report.json()
    return body


def _sms_token(engine: Engine) -> str:
    sender = engine.message_sender
    assert isinstance(sender, InMemorySender)
    [sms] = sender.to(PHONE)
    tokens: set[str] = set(_LINK.findall(sms.text))  # the same link in the zh and the en line
    [token] = tokens
    return token


def _marketing_fact(served: Served) -> dict[str, Any]:
    facts = served.client.get(
        f"/v1/subjects/{PERSON}/consents", headers=served.auth(scope=Scope.READ_ONLY)
    ).json()
    [fact] = [f for f in facts if f["purpose"] == "marketing-sms"]
    found: dict[str, Any] = fact
    return found


def test_a_campaign_reaches_only_the_consenting_person(served: Served, engine: Engine) -> None:
    _people(served)
    report = _send(served)
    assert report["considered"] == 2
    assert report["statuses"] == {"sent": 1, "denied": 1}
    assert sum(report["denied_by_reason"].values()) == 1
    assert len(engine.message_sender.to(PHONE)) == 1  # type: ignore[attr-defined]
    again = served.client.post("/v1/marketing/campaigns/spring-sale/send", headers=_admin(served)).json()
    assert again["already_sent"] == 1 and again["statuses"].get("sent", 0) == 0
    read = served.client.get(
        "/v1/marketing/campaigns/spring-sale", headers=served.auth(scope=Scope.READ_ONLY)
    )
    assert read.json()["purpose"] == "marketing-sms" and read.json()["text"] == CAMPAIGN["text"]


def test_the_link_in_the_sms_unsubscribes_without_a_key_and_a_second_click_changes_nothing(
    served: Served, engine: Engine
) -> None:
    _people(served)
    _send(served)
    path = UNSUBSCRIBE_PATH.format(token=_sms_token(engine))
    first = served.client.post(path)  # no Authorization header: the person taps the page's button
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["unsubscribed"] is True and (body["channel"], body["purpose"]) == ("sms", "marketing-sms")
    assert body["detail"] == body["message"]["zh"] and "退订" in body["detail"]
    assert PERSON not in first.text  # the link may be forwarded: it never names the person
    withdrawn = _marketing_fact(served)
    assert withdrawn["status"] == "withdrawn"
    second = served.client.post(path, headers={"Accept-Language": "en"})
    assert second.status_code == 200
    assert second.json()["at"] == body["at"] and second.json()["detail"] == body["message"]["en"]
    assert _marketing_fact(served) == withdrawn  # no new event
    decision = served.client.post(
        "/v1/decide",
        json={"subject": PERSON, "purpose": "marketing-sms", "data": ["phone"]},
        headers=served.auth(),
    )
    assert decision.json()["allowed"] is False


def test_opening_the_link_only_asks_so_a_link_preview_unsubscribes_no_one(
    served: Served, engine: Engine
) -> None:
    _people(served)
    _send(served)
    path = UNSUBSCRIBE_PATH.format(token=_sms_token(engine))
    page = served.client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form method="post">' in page.text and "退订" in page.text and "Tap the button" in page.text
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]  # no CDN, no JS
    assert _marketing_fact(served)["status"] == "given"  # opening it changed nothing
    done = served.client.post(path, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert done.headers["content-type"].startswith("text/html") and "unsubscribed" in done.text
    assert "<form" not in done.text
    assert _marketing_fact(served)["status"] == "withdrawn"


def test_a_bad_unsubscribe_token_is_a_404_problem_in_zh_and_en(served: Served) -> None:
    for token in ("A" * 43, "not-a-token", "%E4%BD%A0%E5%A5%BD" * 3):
        response = served.client.get(UNSUBSCRIBE_PATH.format(token=token), headers={"Accept-Language": "en"})
        assert response.status_code == 404, token
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["code"] == "messaging.unknown_token" and body["detail"] == body["message"]["en"]
        assert body["message"]["zh"]


def test_a_persons_own_address_is_registered_by_the_app_backend(served: Served) -> None:
    _people(served)
    put = served.client.put(
        f"/v1/subjects/{PERSON}/addresses/sms", json={"address": PHONE}, headers=served.auth()
    )
    assert put.status_code == 204, put.text
    fax = served.client.put(
        f"/v1/subjects/{PERSON}/addresses/fax", json={"address": PHONE}, headers=served.auth()
    )
    assert (fax.status_code, fax.json()["code"]) == (422, "messaging.unknown_channel")
    nobody = served.client.put(
        "/v1/subjects/nobody/addresses/sms", json={"address": PHONE}, headers=served.auth()
    )
    assert (nobody.status_code, nobody.json()["code"]) == (404, "runtime.unknown_subject")


def test_campaign_errors_are_typed_problems(served: Served) -> None:
    email = served.client.post(
        "/v1/marketing/campaigns", json={**CAMPAIGN, "channel": "email"}, headers=_admin(served)
    )
    assert (email.status_code, email.json()["code"]) == (422, "messaging.unknown_channel")
    assert (
        served.client.post("/v1/marketing/campaigns", json=CAMPAIGN, headers=_admin(served)).status_code
        == 201
    )
    changed = {**CAMPAIGN, "text": {"zh": "五折", "en": "Half price"}}
    conflict = served.client.post("/v1/marketing/campaigns", json=changed, headers=_admin(served))
    assert (conflict.status_code, conflict.json()["code"]) == (409, "messaging.campaign_conflict")
    unknown = served.client.post("/v1/marketing/campaigns/autumn/send", headers=_admin(served))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "messaging.unknown_campaign")


def test_a_read_only_key_changes_nothing_and_only_an_admin_runs_campaigns(
    served: Served, engine: Engine
) -> None:
    _people(served)
    read_only = served.auth(scope=Scope.READ_ONLY)
    address = served.client.put(
        f"/v1/subjects/{PERSON}/addresses/sms", json={"address": PHONE}, headers=read_only
    )
    assert address.status_code == 403
    for scope in (Scope.READ_ONLY, Scope.APP_BACKEND):
        headers = served.auth(scope=scope)
        assert (
            served.client.post("/v1/marketing/campaigns", json=CAMPAIGN, headers=headers).status_code == 403
        )
    served.client.post("/v1/marketing/campaigns", json=CAMPAIGN, headers=_admin(served))
    for scope in (Scope.READ_ONLY, Scope.APP_BACKEND):
        sent = served.client.post(
            "/v1/marketing/campaigns/spring-sale/send", headers=served.auth(scope=scope)
        )
        assert sent.status_code == 403, scope
    assert engine.message_sender.to(PHONE) == []  # type: ignore[attr-defined]
