"""The HTTP API: keys and scopes at the door, problem+json errors in zh and en, the runtime behind it."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.errors import StartupRefused
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED
from tests.service.conftest import Served

AS_FOUND = SEED_FIXED.parent / "as-found.yaml"
PERSON = "u-1001"


def _consent(served: Served, decision: str, tenant: str = "tenant-a") -> dict[str, Any]:
    notice = served.client.get("/v1/notices", headers=served.auth(tenant, Scope.READ_ONLY)).json()[-1]
    response = served.client.post(
        f"/v1/subjects/{PERSON}/consents",
        json={
            "purpose": "marketing-sms",
            "decision": decision,
            "notice_id": notice["notice_id"],
            "notice_version": notice["version"],
        },
        headers=served.auth(tenant),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _register(served: Served, tenant: str = "tenant-a") -> None:
    response = served.client.post("/v1/subjects", json={"subject": PERSON}, headers=served.auth(tenant))
    assert response.status_code == 204, response.text


def _decide(served: Served, tenant: str = "tenant-a") -> Any:
    return served.client.post(
        "/v1/decide",
        json={"subject": PERSON, "purpose": "marketing-sms", "data": ["phone"]},
        headers=served.auth(tenant),
    )


def test_consent_then_withdrawal_changes_the_very_next_decision(served: Served) -> None:
    _register(served)
    assert _decide(served).json()["allowed"] is False
    _consent(served, "give")
    allowed = _decide(served).json()
    assert allowed["allowed"] is True and allowed["reason_code"] == "consent"
    assert "PIPL-13.1" in allowed["citations"] and allowed["message"]["zh"]
    _consent(served, "withdraw")
    assert _decide(served).json()["reason_code"] == "withdrawn"
    states = served.client.get(f"/v1/subjects/{PERSON}/consents", headers=served.auth(scope=Scope.READ_ONLY))
    assert [(f["purpose"], f["status"]) for f in states.json()] == [("marketing-sms", "withdrawn")]


def test_no_key_is_a_401_problem_in_zh_by_default_and_in_en_when_asked(served: Served) -> None:
    response = served.client.post("/v1/decide", json={"subject": PERSON, "purpose": "marketing-sms"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] == "service.unauthorized" and body["status"] == 401
    assert body["detail"] == body["message"]["zh"] and "密钥" in body["detail"]
    english = served.client.get("/v1/notices", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json()["detail"] == english.json()["message"]["en"]


def test_a_bad_or_foreign_looking_key_is_refused_the_same_way(served: Served) -> None:
    for token in ("nonsense", served.keys["tenant-a", Scope.ADMIN][:-4] + "AAAA"):
        response = served.client.get("/v1/notices", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["code"] == "service.unauthorized"


def test_a_read_only_key_cannot_release_data(served: Served) -> None:
    response = served.client.post(
        "/v1/decide",
        json={"subject": PERSON, "purpose": "marketing-sms", "data": ["phone"]},
        headers=served.auth(scope=Scope.READ_ONLY),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "service.forbidden" and "app-backend" in response.json()["detail"]


def test_typed_errors_keep_their_code_and_status(served: Served) -> None:
    _register(served)
    unknown_purpose = served.client.post(
        "/v1/decide", json={"subject": PERSON, "purpose": "marketing-smss"}, headers=served.auth()
    )
    assert unknown_purpose.status_code == 422
    assert unknown_purpose.json()["code"] == "runtime.unknown_purpose"
    assert "marketing-sms" in unknown_purpose.json()["message"]["en"]  # the "did you mean"
    unknown_subject = served.client.post(
        "/v1/decide", json={"subject": "nobody", "purpose": "marketing-sms"}, headers=served.auth()
    )
    assert (unknown_subject.status_code, unknown_subject.json()["code"]) == (404, "runtime.unknown_subject")
    malformed = served.client.post("/v1/decide", json={"purpose": 7}, headers=served.auth())
    assert malformed.status_code == 422 and malformed.json()["code"] == "service.invalid_request"


def test_a_copy_and_a_deletion_run_to_done_over_http(served: Served) -> None:
    _register(served)
    _consent(served, "give")
    ids = {}
    for kind in ("copy", "delete"):
        created = served.client.post(
            "/v1/rights/requests", json={"subject": PERSON, "kind": kind}, headers=served.auth()
        )
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "received" and created.json()["due_on"]
        request_id = created.json()["request_id"]
        admin = served.auth(scope=Scope.ADMIN)  # verifying identity and erasing: admin keys only
        early = served.client.post(f"/v1/rights/requests/{request_id}/fulfil", headers=admin)
        assert early.status_code == 409  # identity first (PIPL 50)
        served.client.post(f"/v1/rights/requests/{request_id}/verify-identity", headers=admin)
        done = served.client.post(f"/v1/rights/requests/{request_id}/fulfil", headers=admin)
        assert done.json()["status"] == "done", done.text
        ids[kind] = request_id
        if kind == "copy":
            archive = served.client.get(f"/v1/rights/requests/{request_id}/export", headers=served.auth())
            assert archive.headers["content-type"] == "application/zip"
            assert archive.headers["cache-control"] == "no-store"
            assert "data.json" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    certificate = served.client.get(
        f"/v1/rights/requests/{ids['delete']}/certificate", headers=served.auth(scope=Scope.READ_ONLY)
    ).json()
    assert certificate["erased"]["subjects"] == 1 and PERSON not in str(certificate)
    assert _decide(served).status_code == 404  # the person is gone
    verified = served.client.get("/v1/auditlog/verify", headers=served.auth(scope=Scope.READ_ONLY)).json()
    assert verified["ok"] is True and verified["records_checked"] > 5


def test_openapi_31_is_published_with_bearer_auth(served: Served) -> None:
    spec = served.client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"/v1/decide", "/v1/rights/requests", "/v1/auditlog/verify"} <= set(spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_health_needs_no_key(served: Served) -> None:
    assert served.client.get("/healthz").json() == {"status": "ok"}


def test_the_service_refuses_the_app_as_the_court_found_it(database_url: str) -> None:
    with pytest.raises(StartupRefused):
        create_app(Settings(manifest=AS_FOUND, database_url=database_url))
