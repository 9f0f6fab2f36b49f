"""Sharing over HTTP: only what the separate consent covers leaves, the log keeps no value, owed notices go out."""

from __future__ import annotations

from typing import Any

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.sharing.fakes import InMemorySink
from tests.service.conftest import Served

PERSON = "u-1001"
PHONE = "13800138000"
SHARE = {"subject": PERSON, "purpose": "share-affiliates", "data": ["phone", "orders"]}


def _person(served: Served) -> None:
    assert (
        served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth()).status_code == 204
    )
    for data_id, value in (("phone", PHONE), ("orders", ["order-1"])):
        stored = served.client.put(
            f"/v1/subjects/{PERSON}/attributes/{data_id}",
            json={"value": value, "purposes": ["online-courses"]},
            headers=served.auth(),
        )
        assert stored.status_code == 200, stored.text
    _consent(served, "give")


def _consent(served: Served, decision: str) -> None:
    # PIPL 23: a consent of its own, naming the recipient
    served.consent(PERSON, "share-affiliates", decision, recipient="affiliate-app-a", mechanism="separate")


def _transfer(served: Served, recipient: str, scope: Scope = Scope.APP_BACKEND) -> Any:
    return served.client.post(
        "/v1/sharing/transfers", json={**SHARE, "recipient": recipient}, headers=served.auth(scope=scope)
    )


def _sink(served: Served) -> InMemorySink:
    sink = served.client.app.state.engines.get("tenant-a").sharing_sink  # type: ignore[attr-defined]
    assert isinstance(sink, InMemorySink)
    return sink


def _log(served: Served) -> list[dict[str, Any]]:
    response = served.client.get(
        f"/v1/subjects/{PERSON}/transfers", headers=served.auth(scope=Scope.READ_ONLY)
    )
    assert response.status_code == 200, response.text
    log: list[dict[str, Any]] = response.json()
    return log


def test_data_goes_only_to_the_recipient_the_person_consented_to(served: Served) -> None:
    _person(served)
    delivered = _transfer(served, "affiliate-app-a")
    assert delivered.status_code == 201, delivered.text
    assert delivered.json()["status"] == "delivered" and delivered.json()["sent"] == ["phone", "orders"]
    assert "PIPL-23" in delivered.json()["citations"]
    refused = _transfer(served, "affiliate-app-b").json()
    assert refused["status"] == "refused" and refused["sent"] == []
    assert set(refused["withheld"]) == {"phone", "orders"} and refused["message"]["zh"]
    assert [p.data["phone"] for p in _sink(served).delivered_to("affiliate-app-a")] == [PHONE]
    assert _sink(served).delivered_to("affiliate-app-b") == []
    log = _log(served)
    assert [(t["recipient"], t["status"]) for t in log] == [
        ("affiliate-app-a", "delivered"),
        ("affiliate-app-b", "refused"),
    ]
    assert PHONE not in str(log) and "order-1" not in str(log)  # ids and field names, never a value


def test_a_failing_recipient_is_a_502_and_an_admin_redelivers(served: Served) -> None:
    _person(served)
    _sink(served).fail_next(3)
    failed = _transfer(served, "affiliate-app-a")
    assert (failed.status_code, failed.json()["code"]) == (502, "runtime.sharing_delivery_failed")
    [logged] = _log(served)
    assert logged["status"] == "failed" and logged["attempts"] == 3
    again = served.client.post(
        f"/v1/sharing/transfers/{logged['transfer_id']}/redeliver", headers=served.auth(scope=Scope.ADMIN)
    )
    assert again.status_code == 200 and again.json()["status"] == "delivered", again.text
    twice = served.client.post(
        f"/v1/sharing/transfers/{logged['transfer_id']}/redeliver", headers=served.auth(scope=Scope.ADMIN)
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "runtime.transfer_not_redeliverable")


def test_a_withdrawal_notice_that_failed_is_sent_by_reconcile(served: Served) -> None:
    _person(served)
    _transfer(served, "affiliate-app-a")
    _sink(served).fail_next(3)  # the notice the withdrawal triggers fails every attempt
    _consent(served, "withdraw")
    admin = served.auth(scope=Scope.ADMIN)
    owed = served.client.post(f"/v1/subjects/{PERSON}/transfers/notify-withdrawals", headers=admin)
    assert owed.status_code == 200 and owed.json() == []  # already recorded, waiting to be retried
    assert _sink(served).notified("affiliate-app-a") == []
    [sent] = served.client.post("/v1/sharing/reconcile", headers=admin).json()
    assert (sent["recipient"], sent["reason"], sent["status"]) == ("affiliate-app-a", "withdrawal", "sent")
    assert len(_sink(served).notified("affiliate-app-a")) == 1
    assert served.client.post("/v1/sharing/reconcile", headers=admin).json() == []


def test_sharing_errors_are_typed_problems(served: Served) -> None:
    _person(served)
    stranger = _transfer(served, "data-broker")
    assert (stranger.status_code, stranger.json()["code"]) == (422, "runtime.unknown_recipient")
    nobody = served.client.post(
        "/v1/sharing/transfers",
        json={**SHARE, "subject": "nobody", "recipient": "affiliate-app-a"},
        headers=served.auth(),
    )
    assert (nobody.status_code, nobody.json()["code"]) == (404, "runtime.unknown_subject")
    empty = served.client.post(
        "/v1/sharing/transfers",
        json={**SHARE, "data": [], "recipient": "affiliate-app-a"},
        headers=served.auth(),
    )
    assert (empty.status_code, empty.json()["code"]) == (422, "service.invalid_request")
    unknown = served.client.post(
        "/v1/sharing/transfers/no-such/redeliver", headers=served.auth(scope=Scope.ADMIN)
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "runtime.unknown_transfer")


def test_a_read_only_key_sends_nothing_and_only_an_admin_redelivers_or_reconciles(served: Served) -> None:
    _person(served)
    assert _transfer(served, "affiliate-app-a", Scope.READ_ONLY).status_code == 403
    assert _log(served) == []
    transfer_id = _transfer(served, "affiliate-app-a").json()["transfer_id"]
    for scope in (Scope.READ_ONLY, Scope.APP_BACKEND):
        headers = served.auth(scope=scope)
        for path in (
            f"/v1/sharing/transfers/{transfer_id}/redeliver",
            f"/v1/subjects/{PERSON}/transfers/notify-withdrawals",
            "/v1/sharing/reconcile",
        ):
            assert served.client.post(path, headers=headers).status_code == 403, (scope, path)
