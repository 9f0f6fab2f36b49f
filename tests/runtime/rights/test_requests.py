"""The rights-request lifecycle on SQLite and PostgreSQL: receive, verify, start, complete or refuse."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consentgate.i18n import keys
from consentgate.law.catalog import load_catalog
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.rights.deadlines import due_date
from consentgate.runtime.rights.errors import (
    IllegalRightsTransition,
    RefusalNotApplicable,
    UnknownRefusalReason,
    UnknownRightsKind,
    UnknownRightsRequest,
)
from consentgate.runtime.rights.models import RightsRequestRow
from consentgate.runtime.rights.schemas import REFUSAL_REASONS, RequestStatus, RightsKind
from consentgate.runtime.rights.service import RightsService
from consentgate.store.database import Database
from consentgate.text import Text
from tests.runtime.conftest import TENANT

ALICE = "alice"
BOB = "bob"


@pytest.fixture
def ledger(ledger: ConsentLedger) -> ConsentLedger:
    """The runtime's ledger fixture, with the two people these tests ask on behalf of."""
    ledger.register_subject(ALICE)
    ledger.register_subject(BOB)
    return ledger


@pytest.fixture
def rights(database: Database, clock: FakeClock, audit: AuditLog, ledger: ConsentLedger) -> RightsService:
    return RightsService(
        db=database, tenant=TENANT, clock=clock, ids=SequentialIds("req"), audit=audit, ledger=ledger
    )


def rights_records(audit: AuditLog) -> list[tuple[str, Mapping[str, Any]]]:
    return [(r.kind, r.payload) for r in audit.records(limit=10_000) if r.kind.startswith("rights.")]


def row_count(database: Database) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(RightsRequestRow)) or 0)


def assert_bilingual(text: Text, *fragments: str) -> None:
    assert text.zh and text.en and text.zh != text.en
    for fragment in fragments:
        assert fragment in text.zh and fragment in text.en


def test_a_request_is_received_with_its_deadline_and_audited(
    rights: RightsService, audit: AuditLog, clock: FakeClock, ledger: ConsentLedger
) -> None:
    request = rights.request(ALICE, "copy", details={"format": "json"})

    assert request.status is RequestStatus.RECEIVED and request.is_open
    assert request.kind is RightsKind.COPY and request.subject == ALICE
    assert request.received_at == clock.now()
    assert request.due_on == due_date(clock.now())
    assert request.due_on > clock.now().date()
    assert request.details == {"format": "json"}
    assert rights.get(request.request_id) == request
    assert rights_records(audit) == [
        (
            "rights.received",
            {
                "request": request.request_id,
                "subject_ref": ledger.ref(ALICE),
                "kind": "copy",
                "due_on": str(request.due_on),
            },
        )
    ]


def test_the_full_lifecycle_moves_in_order_and_audits_every_step(
    rights: RightsService, audit: AuditLog, clock: FakeClock
) -> None:
    request = rights.request(ALICE, RightsKind.DELETE)
    clock.advance(hours=1)
    verified = rights.verify_identity(request.request_id)
    clock.advance(hours=1)
    started = rights.start(request.request_id)
    clock.advance(hours=1)
    done = rights.complete(request.request_id)

    assert [verified.status, started.status, done.status] == [
        RequestStatus.IDENTITY_VERIFIED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.DONE,
    ]
    assert done.verified_at == request.received_at + timedelta(hours=1)
    assert done.started_at == request.received_at + timedelta(hours=2)
    assert done.finished_at == done.updated_at == clock.now()
    assert done.refusal is None and not done.is_open
    assert done.due_on == request.due_on  # the deadline is fixed at receipt
    assert rights.get(request.request_id) == done
    assert rights.open_requests(ALICE) == []
    assert [kind for kind, _ in rights_records(audit)] == [
        "rights.received",
        "rights.identity-verified",
        "rights.in-progress",
        "rights.done",
    ]
    assert all(payload["request"] == request.request_id for _, payload in rights_records(audit))
    assert audit.verify().ok


def test_a_repeated_request_returns_the_open_one(
    rights: RightsService, audit: AuditLog, clock: FakeClock, database: Database
) -> None:
    first = rights.request(ALICE, "delete")
    clock.advance(days=2)
    rights.verify_identity(first.request_id)
    again = rights.request(ALICE, "delete", details={"note": "second tap"})

    assert again.request_id == first.request_id
    assert again.status is RequestStatus.IDENTITY_VERIFIED
    assert again.received_at == first.received_at and again.details == {}
    other_kind = rights.request(ALICE, "copy")
    other_subject = rights.request(BOB, "delete")
    assert len({first.request_id, other_kind.request_id, other_subject.request_id}) == 3
    assert [r.request_id for r in rights.open_requests(ALICE)] == [first.request_id, other_kind.request_id]
    assert row_count(database) == 3
    assert [kind for kind, _ in rights_records(audit)].count("rights.received") == 3

    # Once closed, the same kind may be asked again: it is a new request with a new deadline.
    rights.start(first.request_id)
    rights.complete(first.request_id)
    renewed = rights.request(ALICE, "delete")
    assert renewed.request_id != first.request_id
    assert renewed.status is RequestStatus.RECEIVED
    assert renewed.due_on == due_date(clock.now())


def test_concurrent_identical_requests_make_one_request(rights: RightsService, database: Database) -> None:
    barrier = threading.Barrier(6)
    seen: list[str] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait()
            seen.append(rights.request(BOB, "cancel-account").request_id)
        except BaseException as exc:  # surfaced in the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(seen) == 6 and len(set(seen)) == 1
    assert row_count(database) == 1


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ((), "start"),
        ((), "complete"),
        (("verify_identity",), "verify_identity"),
        (("verify_identity",), "complete"),
        (("verify_identity", "start"), "start"),
        (("verify_identity", "start", "complete"), "complete"),
        (("verify_identity", "start", "complete"), "verify_identity"),
    ],
)
def test_an_out_of_order_step_is_a_typed_bilingual_error_and_changes_nothing(
    rights: RightsService, audit: AuditLog, steps: tuple[str, ...], action: str
) -> None:
    request = rights.request(ALICE, "restrict")
    for step in steps:
        getattr(rights, step)(request.request_id)
    before = rights.get(request.request_id)
    audited = len(rights_records(audit))

    with pytest.raises(IllegalRightsTransition) as caught:
        getattr(rights, action)(request.request_id)

    assert_bilingual(caught.value.text, request.request_id)
    assert caught.value.code == "runtime.rights_illegal_transition"
    assert rights.get(request.request_id) == before
    assert len(rights_records(audit)) == audited


def test_a_closed_request_cannot_be_refused(rights: RightsService) -> None:
    request = rights.request(ALICE, "copy")
    rights.refuse(request.request_id, "identity-unverified")
    with pytest.raises(IllegalRightsTransition) as caught:
        rights.refuse(request.request_id, "copy-excepted")
    assert "已拒绝" in caught.value.text.zh and "refused" in caught.value.text.en


def test_a_refusal_carries_its_reason_in_zh_and_en_and_the_law_that_allows_it(
    rights: RightsService, audit: AuditLog, ledger: ConsentLedger
) -> None:
    request = rights.request(ALICE, "delete")
    rights.verify_identity(request.request_id)
    rights.start(request.request_id)

    refused = rights.refuse(request.request_id, "retention-required")

    assert refused.status is RequestStatus.REFUSED and not refused.is_open
    assert refused.refusal is not None
    assert refused.refusal.reason_key == "retention-required"
    assert refused.refusal.citations == ("PIPL-47",)
    assert "保存期限" in refused.refusal.message.zh and "retention period" in refused.refusal.message.en
    assert rights.get(request.request_id).refusal == refused.refusal
    kind, payload = rights_records(audit)[-1]
    assert kind == "rights.refused"
    assert payload == {
        "request": request.request_id,
        "subject_ref": ledger.ref(ALICE),
        "kind": "delete",
        "reason": "retention-required",
        "citations": ["PIPL-47"],
    }
    assert rights.request(ALICE, "delete").request_id != request.request_id  # the slot is free again


def test_an_unverified_requester_can_be_refused_before_verification_only(rights: RightsService) -> None:
    early = rights.request(ALICE, "withdraw-all")
    refused = rights.refuse(early.request_id, "identity-unverified")
    assert refused.refusal is not None and refused.refusal.citations == ("PIPL-50",)

    late = rights.request(BOB, "withdraw-all")
    rights.verify_identity(late.request_id)
    with pytest.raises(RefusalNotApplicable) as caught:
        rights.refuse(late.request_id, "identity-unverified")
    assert_bilingual(caught.value.text, "identity-unverified")
    assert rights.get(late.request_id).status is RequestStatus.IDENTITY_VERIFIED


def test_a_refusal_reason_for_another_kind_or_an_unknown_one_is_rejected(
    rights: RightsService, audit: AuditLog
) -> None:
    request = rights.request(ALICE, "delete")
    audited = len(rights_records(audit))

    with pytest.raises(RefusalNotApplicable) as not_applicable:
        rights.refuse(request.request_id, "verified-accurate")  # only a correction can be "accurate"
    assert "删除" in not_applicable.value.text.zh and "deletion" in not_applicable.value.text.en

    with pytest.raises(UnknownRefusalReason) as unknown:
        rights.refuse(request.request_id, "too-busy")
    assert_bilingual(unknown.value.text, "too-busy", "retention-required")

    assert rights.get(request.request_id).status is RequestStatus.RECEIVED
    assert rights.get(request.request_id).refusal is None
    assert len(rights_records(audit)) == audited


def test_unknown_subject_request_and_kind_are_typed_bilingual_errors(
    rights: RightsService, database: Database, audit: AuditLog
) -> None:
    with pytest.raises(UnknownSubject) as subject:
        rights.request("mallory", "copy")
    assert_bilingual(subject.value.text, "mallory")

    with pytest.raises(UnknownRightsKind) as kind:
        rights.request(ALICE, "forget-me")
    assert_bilingual(kind.value.text, "forget-me", "cancel-account")

    for call in (rights.get, rights.verify_identity, rights.start, rights.complete):
        with pytest.raises(UnknownRightsRequest) as missing:
            call("req-999999")
        assert_bilingual(missing.value.text, "req-999999")
    with pytest.raises(UnknownRightsRequest):
        rights.refuse("req-999999", "identity-unverified")

    assert row_count(database) == 0
    assert rights_records(audit) == []


def test_requests_of_another_tenant_are_invisible(
    rights: RightsService, database: Database, clock: FakeClock, audit: AuditLog, ledger: ConsentLedger
) -> None:
    request = rights.request(ALICE, "copy")
    other = RightsService(
        db=database, tenant="other-app", clock=clock, ids=SequentialIds("x"), audit=audit, ledger=ledger
    )
    with pytest.raises(UnknownRightsRequest):
        other.get(request.request_id)
    with pytest.raises(UnknownRightsRequest):
        other.verify_identity(request.request_id)
    assert other.open_requests(ALICE) == []
    assert rights.get(request.request_id).status is RequestStatus.RECEIVED


def test_overdue_lists_open_requests_past_their_deadline_most_overdue_first(
    rights: RightsService, clock: FakeClock
) -> None:
    oldest = rights.request(ALICE, "copy")
    clock.advance(days=3)
    middle = rights.request(BOB, "copy")
    finished = rights.request(ALICE, "correct", details={"data": "occupation", "value": "教师"})
    for step in (rights.verify_identity, rights.start, rights.complete):
        step(finished.request_id)
    refused = rights.request(BOB, "restrict")
    rights.refuse(refused.request_id, "identity-unverified")
    clock.advance(days=30)
    recent = rights.request(ALICE, "delete")

    assert rights.overdue(oldest.due_on) == []  # due ON that day is still in time
    day_after = oldest.due_on + timedelta(days=1)
    assert [r.request_id for r in rights.overdue(day_after)] == (
        [oldest.request_id] + ([middle.request_id] if middle.due_on < day_after else [])
    )
    late = recent.due_on + timedelta(days=1)
    assert [r.request_id for r in rights.overdue(late)] == [
        oldest.request_id,
        middle.request_id,
        recent.request_id,
    ]
    assert all(r.overdue_on(late) for r in rights.overdue(late))
    rights.verify_identity(oldest.request_id)  # still open: verifying does not stop the clock
    assert oldest.request_id in [r.request_id for r in rights.overdue(late)]


class _FailingAudit:
    """An audit log whose write fails: the step it records must not happen either."""

    def __init__(self, inner: AuditLog, fail_on: str) -> None:
        self._inner = inner
        self._fail_on = fail_on

    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None:
        self.record_changes(session, [(kind, payload)])

    def record_changes(self, session: Session, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        if any(kind == self._fail_on for kind, _ in changes):
            raise RuntimeError("audit store unavailable")
        self._inner.record_changes(session, changes)


@pytest.mark.parametrize("fail_on", ["rights.received", "rights.identity-verified"])
def test_a_step_and_its_audit_record_commit_together(
    database: Database, clock: FakeClock, audit: AuditLog, ledger: ConsentLedger, fail_on: str
) -> None:
    broken = RightsService(
        db=database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("req"),
        audit=_FailingAudit(audit, fail_on),
        ledger=ledger,
    )
    if fail_on == "rights.received":
        with pytest.raises(RuntimeError):
            broken.request(ALICE, "copy")
        assert row_count(database) == 0
        return
    request = broken.request(ALICE, "copy")
    with pytest.raises(RuntimeError):
        broken.verify_identity(request.request_id)
    assert broken.get(request.request_id).status is RequestStatus.RECEIVED
    assert broken.get(request.request_id).verified_at is None


def test_every_refusal_reason_cites_the_law_catalog_and_has_text_in_both_languages() -> None:
    catalog = load_catalog()
    for reason in REFUSAL_REASONS.values():
        assert reason.citations and all(catalog.resolves(c) for c in reason.citations), reason.key
        assert reason.kinds, reason.key
        assert f"rights.refusal.{reason.key}" in keys("zh") & keys("en")
        assert_bilingual(reason.message)
    for kind in RightsKind:
        assert f"rights.kind.{kind.value}" in keys("zh") & keys("en")
        assert any(kind in reason.kinds for reason in REFUSAL_REASONS.values())
    for status in RequestStatus:
        assert f"rights.status.{status.value}" in keys("zh") & keys("en")
