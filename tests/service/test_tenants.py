"""A key of tenant B can never read or change tenant A's data, on any endpoint.

Tenant A has a person with a consent, a finished copy, a finished deletion of someone else and an open
request. Tenant B's ADMIN key (the strongest there is) then tries every endpoint on A's ids: each
answers as if they did not exist, and A's data is unchanged afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from consentgate.runtime.apikeys.schemas import Scope
from tests.service.conftest import Served

PERSON, GONE = "u-1001", "u-2002"


@dataclass(frozen=True)
class TenantA:
    copy_id: str
    deleted_id: str
    open_id: str
    notice: dict[str, Any]


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
    return TenantA(
        copy_id=_request(served, PERSON, "copy", carry_out=True),
        deleted_id=_request(served, GONE, "delete", carry_out=True),
        open_id=_request(served, PERSON, "restrict", carry_out=False),
        notice=notice,
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
