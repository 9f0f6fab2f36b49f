"""A key of tenant B can never read or change tenant A's data, on any endpoint.

Tenant A has a person with a consent, a finished copy, a finished deletion of someone else and an open
request. Tenant B's ADMIN key (the strongest there is) then tries every endpoint on A's ids: each
answers as if they did not exist, and A's data is unchanged afterwards.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consentgate.errors import UsageError
from consentgate.manifest.starter import write_starter
from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.errors import StartupRefused
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from consentgate.service.tenancy import load_tenant_manifests
from tests.runtime.conftest import SEED_FIXED
from tests.service.conftest import Served

AS_FOUND = SEED_FIXED.parent / "as-found.yaml"

PERSON, GONE = "u-1001", "u-2002"
CAMPAIGN = "spring"  # a push and a marketing campaign of tenant A's


@dataclass(frozen=True)
class TenantA:
    copy_id: str
    deleted_id: str
    open_id: str
    notice: dict[str, Any]
    transfer_id: str


def _post(served: Served, path: str, body: dict[str, Any] | None = None, tenant: str = "tenant-a") -> Any:
    response = served.client.post(path, json=body, headers=served.auth(tenant, Scope.ADMIN))
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def _request(served: Served, subject: str, kind: str, *, carry_out: bool) -> str:
    request_id: str = _post(served, "/v1/rights/requests", {"subject": subject, "kind": kind})["request_id"]
    if carry_out:
        _post(served, f"/v1/rights/requests/{request_id}/verify-identity")
        _post(served, f"/v1/rights/requests/{request_id}/fulfil")
    return request_id


@pytest.fixture
def tenant_a(served: Served) -> TenantA:
    notice = served.client.get("/v1/notices", headers=served.auth("tenant-a", Scope.ADMIN)).json()[-1]
    for subject in (PERSON, GONE):
        _post(served, "/v1/subjects", {"subject": subject})
    _post(
        served,
        f"/v1/subjects/{PERSON}/consents",
        {
            "purpose": "marketing-sms",
            "decision": "give",
            "notice_id": notice["notice_id"],
            "notice_version": notice["version"],
        },
    )
    text = {"zh": "新课", "en": "New lessons"}
    _post(
        served,
        "/v1/push/campaigns",
        {
            "campaign_id": CAMPAIGN,
            "title": "t",
            "generic": {"title": text, "body": text},
            "personalized": {"title": text, "body": text},
        },
    )
    _post(served, "/v1/marketing/campaigns", {"campaign_id": CAMPAIGN, "channel": "sms", "text": text})
    share = {
        "subject": PERSON,
        "purpose": "share-affiliates",
        "recipient": "affiliate-app-a",
        "data": ["phone"],
    }
    return TenantA(
        copy_id=_request(served, PERSON, "copy", carry_out=True),
        deleted_id=_request(served, GONE, "delete", carry_out=True),
        open_id=_request(served, PERSON, "restrict", carry_out=False),
        notice=notice,
        transfer_id=_post(served, "/v1/sharing/transfers", share)["transfer_id"],  # refused: no consent
    )


def _attempts(a: TenantA) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(method, path, body) of every endpoint that takes an id of tenant A's."""
    give = {
        "purpose": "marketing-sms",
        "decision": "withdraw",
    }
    return [
        ("GET", f"/v1/subjects/{PERSON}/consents", None),
        ("POST", f"/v1/subjects/{PERSON}/consents", give),
        ("POST", "/v1/decide", {"subject": PERSON, "purpose": "marketing-sms", "data": ["phone"]}),
        ("POST", "/v1/rights/requests", {"subject": PERSON, "kind": "delete"}),
        ("GET", f"/v1/rights/requests/{a.copy_id}", None),
        ("GET", f"/v1/rights/requests/{a.copy_id}/export", None),
        ("GET", f"/v1/rights/requests/{a.deleted_id}/certificate", None),
        ("POST", f"/v1/rights/requests/{a.open_id}/verify-identity", None),
        ("POST", f"/v1/rights/requests/{a.open_id}/fulfil", None),
        ("POST", f"/v1/rights/requests/{a.open_id}/refuse", {"reason": "identity-unverified"}),
        ("GET", f"/v1/subjects/{PERSON}/onboarding", None),
        ("POST", f"/v1/subjects/{PERSON}/onboarding/screens/welcome", {}),
        ("POST", f"/v1/subjects/{PERSON}/onboarding/screens/questionnaire/skip", None),
        ("POST", f"/v1/subjects/{PERSON}/onboarding/questions/occupation/reopen", None),
        ("PUT", f"/v1/subjects/{PERSON}/attributes/phone", {"value": "1", "purposes": ["online-courses"]}),
        ("GET", f"/v1/subjects/{PERSON}/profile?purpose=online-courses", None),
        ("GET", f"/v1/subjects/{PERSON}/attributes", None),
        ("GET", f"/v1/subjects/{PERSON}/feed", None),
        ("PUT", f"/v1/subjects/{PERSON}/feed/personalization", {"personalized": True}),
        ("GET", f"/v1/push/campaigns/{CAMPAIGN}", None),
        ("POST", f"/v1/push/campaigns/{CAMPAIGN}/send", None),
        ("GET", f"/v1/marketing/campaigns/{CAMPAIGN}", None),
        ("POST", f"/v1/marketing/campaigns/{CAMPAIGN}/send", None),
        ("PUT", f"/v1/subjects/{PERSON}/addresses/sms", {"address": "13800138000"}),
        (
            "POST",
            "/v1/sharing/transfers",
            {
                "subject": PERSON,
                "purpose": "share-affiliates",
                "recipient": "affiliate-app-a",
                "data": ["phone"],
            },
        ),
        ("POST", f"/v1/sharing/transfers/{a.transfer_id}/redeliver", None),
        ("GET", f"/v1/subjects/{PERSON}/transfers", None),
        ("POST", f"/v1/subjects/{PERSON}/transfers/notify-withdrawals", None),
    ]


def test_tenant_bs_key_finds_nothing_of_tenant_a_on_any_endpoint(served: Served, tenant_a: TenantA) -> None:
    for method, path, body in _attempts(tenant_a):
        response = served.client.request(
            method, path, json=body, headers=served.auth("tenant-b", Scope.ADMIN)
        )
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert PERSON not in response.json()["detail"] or "subject" in response.json()["code"]


def test_tenant_bs_lists_hold_nothing_of_tenant_a(served: Served, tenant_a: TenantA) -> None:
    b = served.auth("tenant-b", Scope.ADMIN)
    overdue = served.client.get("/v1/rights/overdue", params={"today": "2099-12-31"}, headers=b).json()
    assert overdue == []
    a_overdue = served.client.get(
        "/v1/rights/overdue", params={"today": "2099-12-31"}, headers=served.auth("tenant-a", Scope.ADMIN)
    ).json()
    assert [r["request_id"] for r in a_overdue] == [tenant_a.open_id]
    a_chain = served.client.get("/v1/auditlog/verify", headers=served.auth("tenant-a", Scope.ADMIN)).json()
    b_chain = served.client.get("/v1/auditlog/verify", headers=b).json()
    assert b_chain["ok"] and b_chain["records_checked"] < a_chain["records_checked"]
    assert served.client.post("/v1/sharing/reconcile", headers=b).json() == []
    a_transfers = served.client.get(
        f"/v1/subjects/{PERSON}/transfers", headers=served.auth("tenant-a", Scope.READ_ONLY)
    ).json()
    assert [t["transfer_id"] for t in a_transfers] == [tenant_a.transfer_id]


def test_the_same_subject_id_in_tenant_b_is_another_person(served: Served, tenant_a: TenantA) -> None:
    _post(served, "/v1/subjects", {"subject": PERSON}, tenant="tenant-b")
    _post(
        served,
        f"/v1/subjects/{PERSON}/consents",
        {"purpose": "marketing-sms", "decision": "refuse"},
        tenant="tenant-b",
    )
    a_facts = served.client.get(
        f"/v1/subjects/{PERSON}/consents", headers=served.auth("tenant-a", Scope.READ_ONLY)
    ).json()
    assert [(f["purpose"], f["status"]) for f in a_facts] == [("marketing-sms", "given")]
    b_facts = served.client.get(
        f"/v1/subjects/{PERSON}/consents", headers=served.auth("tenant-b", Scope.READ_ONLY)
    ).json()
    assert [(f["purpose"], f["status"]) for f in b_facts] == [("marketing-sms", "refused")]


def test_another_tenants_consent_record_is_simply_not_found_and_never_named(
    served: Served, tenant_a: TenantA
) -> None:
    event = served.client.get(
        f"/v1/subjects/{PERSON}/consents", headers=served.auth("tenant-a", Scope.READ_ONLY)
    ).json()[0]["event_id"]
    _post(served, "/v1/subjects", {"subject": PERSON}, tenant="tenant-b")
    response = served.client.put(
        f"/v1/subjects/{PERSON}/attributes/occupation",
        json={"value": "教师", "purposes": ["personalized-push"], "consent_event_id": event},
        headers=served.auth("tenant-b", Scope.ADMIN),
    )
    assert response.status_code == 404, response.text
    assert "tenant-a" not in response.text


# A manifest per tenant: `<tenant>.yaml` in the folder of tenant manifests overrides the default.


def _own_manifest(tmp_path: Path) -> Path:
    folder = tmp_path / "tenants"
    folder.mkdir()
    write_starter("learning-education", folder / "tenant-b.yaml")  # no marketing, other purposes
    return folder


def test_a_tenant_with_its_own_manifest_runs_it_and_the_others_the_default(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(
        Settings(manifest=SEED_FIXED, database_url=database_url, tenant_manifests=_own_manifest(tmp_path))
    )
    with TestClient(app) as client:
        engines = app.state.engines
        assert engines.get("tenant-a").manifest.purpose("marketing-sms")
        own = engines.get("tenant-b")
        assert Path(own.loaded.path).name == "tenant-b.yaml"
        assert "marketing-sms" not in own.policy.purposes and "basic-service" in own.policy.purposes
        token = app.state.keys.create("tenant-b", "b", [Scope.APP_BACKEND]).token
        client.post("/v1/subjects", json={"subject": PERSON}, headers={"Authorization": f"Bearer {token}"})
        answer = client.post(
            "/v1/decide",
            json={"subject": PERSON, "purpose": "marketing-sms", "data": ["phone"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "runtime.unknown_purpose"  # tenant-b's manifest has no marketing


def test_an_unlawful_tenant_manifest_refuses_the_whole_service(database_url: str, tmp_path: Path) -> None:
    folder = _own_manifest(tmp_path)
    shutil.copy(AS_FOUND, folder / "tenant-c.yaml")
    with pytest.raises(StartupRefused) as refused:
        create_app(Settings(manifest=SEED_FIXED, database_url=database_url, tenant_manifests=folder))
    assert "CG-PIPL-016-FORCED-COLLECTION" in refused.value.text.en


def test_a_missing_folder_of_tenant_manifests_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_tenant_manifests(tmp_path / "nowhere")
