"""The console's rights requests: overdue first with a badge, and verify / fulfil / refuse as forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from consentgate.runtime.rights.deadlines import local_date
from consentgate.runtime.rights.schemas import RequestStatus, RightsRequest
from tests.web.conftest import Site, backdated_request

PAGE = "/console/requests"


def _request(site: Site, subject: str, kind: str = "delete", *, days_ago: int = 0) -> RightsRequest:
    return backdated_request(site.engine, subject, kind, days_ago=days_ago)


def _rows(html: str) -> list[tuple[str, str]]:
    """(request id, the row's class attribute) of each listed request, top to bottom."""
    return [
        (request_id, classes or "")
        for request_id, classes in re.findall(
            r'<tr id="request-[^"]+" data-request-id="([^"]+)"(?: class="([^"]+)")?>', html
        )
    ]


def _row(html: str, request_id: str) -> str:
    found = re.search(rf'<tr id="request-{request_id}".*?</tr>', html, re.S)
    assert found, f"request {request_id} not listed"
    return found.group(0)


def test_the_overdue_request_is_listed_first_with_the_overdue_badge(site: Site) -> None:
    fresh = _request(site, "fresh")
    late = _request(site, "late", "copy", days_ago=40)
    later = _request(site, "later", "restrict", days_ago=60)
    closed = _request(site, "closed", days_ago=90)
    site.engine.rights.refuse(closed.request_id, "identity-unverified")
    site.sign_in_operator()
    page = site.client.get(PAGE).text
    assert _rows(page) == [
        (later.request_id, "overdue"),
        (late.request_id, "overdue"),
        (fresh.request_id, ""),
    ]
    assert 'class="badge overdue"' in _row(page, late.request_id)
    assert 'class="badge overdue"' not in _row(page, fresh.request_id)
    assert "later" in _row(page, later.request_id)  # the operator sees whose request it is
    assert late.due_on.isoformat() in _row(page, late.request_id)


def test_the_queue_is_overdue_first_then_by_deadline_and_tenant_scoped(site: Site) -> None:
    soon = _request(site, "soon", days_ago=10)
    fresh = _request(site, "fresh")
    late = _request(site, "late", days_ago=30)
    other = site.client.app.state.engines.get("another-tenant")  # type: ignore[attr-defined]
    other.consent.register_subject("elsewhere")
    other.rights.request("elsewhere", "delete")
    today = local_date(datetime.now(UTC))
    queue = site.engine.rights.queue(today)
    assert [r.request_id for r in queue] == [late.request_id, soon.request_id, fresh.request_id]
    assert [r.overdue_on(today) for r in queue] == [True, False, False]
    assert site.engine.rights.count_open() == 3
    assert [r.request_id for r in site.engine.rights.queue(today, limit=1)] == [late.request_id]


def test_a_deletion_runs_to_done_and_the_persons_data_is_gone(site: Site) -> None:
    subject = "leaving"
    request = _request(site, subject)
    site.engine.consent.give(
        subject, "marketing-sms", notice_id="privacy-policy", notice_version="2024-01", data=["phone"]
    )
    site.sign_in_operator()
    verified = site.post(f"{PAGE}/{request.request_id}/verify-identity", page=PAGE)
    assert verified.status_code == 303 and verified.headers["location"] == PAGE
    page = site.client.get(PAGE).text
    assert 'class="flash"' in page
    assert f"{PAGE}/{request.request_id}/fulfil" in _row(page, request.request_id)
    assert site.engine.rights.get(request.request_id).status is RequestStatus.IDENTITY_VERIFIED
    fulfilled = site.post(f"{PAGE}/{request.request_id}/fulfil", page=PAGE)
    assert fulfilled.status_code == 303
    assert site.engine.rights.get(request.request_id).status is RequestStatus.DONE
    assert not site.engine.consent.known_subject(subject)
    assert request.request_id not in site.client.get(PAGE).text


def test_a_refusal_takes_a_reason_the_law_allows_for_that_request(site: Site) -> None:
    request = _request(site, "asker")
    site.sign_in_operator()
    offered = re.findall(r'<option value="([^"]+)"', _row(site.client.get(PAGE).text, request.request_id))
    assert offered == ["identity-unverified", "retention-required"]
    wrong = site.post(f"{PAGE}/{request.request_id}/refuse", {"reason": "verified-accurate"}, page=PAGE)
    assert wrong.status_code == 409
    assert 'id="request-error"' in wrong.text
    assert site.engine.rights.get(request.request_id).status is RequestStatus.RECEIVED
    refused = site.post(f"{PAGE}/{request.request_id}/refuse", {"reason": "retention-required"}, page=PAGE)
    assert refused.status_code == 303
    closed = site.engine.rights.get(request.request_id)
    assert closed.status is RequestStatus.REFUSED
    assert closed.refusal is not None and closed.refusal.reason_key == "retention-required"


def test_after_verification_identity_is_no_longer_a_reason_to_refuse(site: Site) -> None:
    request = _request(site, "checked", "copy")
    site.engine.rights.verify_identity(request.request_id)
    site.sign_in_operator()
    row = _row(site.client.get(PAGE).text, request.request_id)
    assert re.findall(r'<option value="([^"]+)"', row) == ["copy-excepted"]
    assert "/verify-identity" not in row


def test_a_step_out_of_order_re_shows_the_queue_with_the_reason(site: Site) -> None:
    request = _request(site, "hasty")
    site.sign_in_operator()
    answer = site.post(f"{PAGE}/{request.request_id}/fulfil", page=PAGE)
    assert answer.status_code == 409
    assert 'id="request-error"' in answer.text and 'id="requests"' in answer.text
    assert site.engine.rights.get(request.request_id).status is RequestStatus.RECEIVED


def test_another_tenants_request_is_not_found(site: Site) -> None:
    other = site.client.app.state.engines.get("another-tenant")  # type: ignore[attr-defined]
    other.consent.register_subject("elsewhere")
    theirs = other.rights.request("elsewhere", "delete")
    site.sign_in_operator()
    answer = site.post(f"{PAGE}/{theirs.request_id}/verify-identity", page=PAGE)
    assert answer.status_code == 404
    assert other.rights.get(theirs.request_id).status is RequestStatus.RECEIVED


def test_no_open_request_says_so(site: Site) -> None:
    site.sign_in_operator()
    page = site.client.get(PAGE).text
    assert 'id="no-requests"' in page and 'id="requests"' not in page
