"""The ledger records validated consent events and keeps the current facts projected from them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select, text

from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.models import ConsentEventRow, ConsentStateRow
from consentgate.runtime.consent.projection import fold
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import (
    NotConsentPurpose,
    StaleNotice,
    UnknownDataItem,
    UnknownNotice,
    UnknownPurpose,
    UnknownRecipient,
    UnknownSubject,
)
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database

from .conftest import NOTICE, TENANT, publish_notice

PUSH = "personalized-push"
SHARE = "share-affiliates"


def give_push(ledger: ConsentLedger, subject: str = "u1", version: str = "2024-01") -> None:
    ledger.give(subject, PUSH, notice_id=NOTICE, notice_version=version, data=["occupation"])


def count_rows(database: Database, table: type[Any]) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


# ---------------------------------------------------------------- facts change with events


def test_giving_consent_makes_a_live_fact(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    event = ledger.give(
        "u1",
        PUSH,
        notice_id=NOTICE,
        notice_version="2024-01",
        data=["occupation", "learning-goal"],
        evidence=Evidence(
            screen_id="questionnaire", locale="zh-CN", user_agent="微信/8.0 “测试”", ip_hash="k:abc"
        ),
    )
    fact = ledger.facts("u1")[PUSH, None]
    assert fact.live and fact.status is EventKind.GIVEN
    assert fact.event_id == event.event_id
    assert fact.data == ("occupation", "learning-goal")
    assert (fact.notice_id, fact.notice_version) == (NOTICE, "2024-01")
    assert ledger.events("u1") == [event]  # what was returned is exactly what was stored


def test_refusing_records_a_fact_that_is_not_live(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    ledger.refuse("u1", PUSH, notice_id=NOTICE, notice_version="2024-01")
    fact = ledger.facts("u1")[PUSH, None]
    assert fact.status is EventKind.REFUSED
    assert not fact.live


def test_withdrawal_ends_the_consent_on_the_next_read(ledger: ConsentLedger, clock: FakeClock) -> None:
    ledger.register_subject("u1")
    give_push(ledger)
    assert ledger.facts("u1")[PUSH, None].live
    clock.advance(minutes=5)
    withdrawal = ledger.withdraw("u1", PUSH)
    fact = ledger.facts("u1")[PUSH, None]
    assert fact.status is EventKind.WITHDRAWN and not fact.live
    assert fact.updated_at == clock.now() == withdrawal.occurred_at
    assert [e.kind for e in ledger.events("u1")] == [EventKind.GIVEN, EventKind.WITHDRAWN]


def test_expiry_ends_the_consent(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    give_push(ledger)
    ledger.record(NewConsentEvent(subject="u1", purpose=PUSH, kind=EventKind.EXPIRED))
    assert ledger.facts("u1")[PUSH, None].status is EventKind.EXPIRED
    assert not ledger.facts("u1")[PUSH, None].live


def test_consent_can_be_given_again_after_withdrawal(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    give_push(ledger)
    ledger.withdraw("u1", PUSH)
    give_push(ledger)
    assert ledger.facts("u1")[PUSH, None].live


def test_sharing_consent_is_per_recipient(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    ledger.give(
        "u1", SHARE, notice_id=NOTICE, notice_version="2024-01", recipient="affiliate-app-a", data=["phone"]
    )
    facts = ledger.facts("u1")
    assert facts[SHARE, "affiliate-app-a"].live
    assert (SHARE, "affiliate-app-b") not in facts
    assert (SHARE, None) not in facts


def test_withdrawing_a_purpose_ends_it_for_every_recipient(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    for recipient in ("affiliate-app-a", "affiliate-app-b"):
        ledger.give("u1", SHARE, notice_id=NOTICE, notice_version="2024-01", recipient=recipient)
    ledger.withdraw("u1", SHARE)
    facts = ledger.facts("u1")
    assert facts[SHARE, "affiliate-app-a"].status is EventKind.WITHDRAWN
    assert facts[SHARE, "affiliate-app-b"].status is EventKind.WITHDRAWN
    assert not any(fact.live for fact in facts.values())


def test_withdrawing_one_recipient_leaves_the_other(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    for recipient in ("affiliate-app-a", "affiliate-app-b"):
        ledger.give("u1", SHARE, notice_id=NOTICE, notice_version="2024-01", recipient=recipient)
    ledger.withdraw("u1", SHARE, recipient="affiliate-app-a")
    facts = ledger.facts("u1")
    assert not facts[SHARE, "affiliate-app-a"].live
    assert facts[SHARE, "affiliate-app-b"].live


def test_subjects_do_not_share_facts(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    ledger.register_subject("u2")
    give_push(ledger, "u1")
    assert ledger.facts("u2") == {}


# ---------------------------------------------------------------- subjects


def test_registering_a_subject_twice_changes_nothing(ledger: ConsentLedger, database: Database) -> None:
    assert not ledger.known_subject("u1")
    ledger.register_subject("u1")
    ledger.register_subject("u1")
    assert ledger.known_subject("u1")
    with database.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM subjects")) == 1


def test_an_unregistered_subject_is_a_typed_error(ledger: ConsentLedger) -> None:
    with pytest.raises(UnknownSubject) as caught:
        give_push(ledger, "ghost")
    assert caught.value.code == "runtime.unknown_subject"
    assert "ghost" in caught.value.text.zh and "ghost" in caught.value.text.en
    with pytest.raises(UnknownSubject):
        ledger.facts("ghost")
    assert ledger.events() == []


def test_a_tenant_sees_only_its_own_subjects_and_events(
    ledger: ConsentLedger, database: Database, clock: FakeClock, notices: NoticeService, policy: Policy
) -> None:
    ledger.register_subject("u1")
    give_push(ledger)
    other_audit = AuditLog(database, tenant="other-app", clock=clock, ids=SequentialIds("other-audit"))
    try:
        other = ConsentLedger(
            database,
            tenant="other-app",
            clock=clock,
            ids=SequentialIds("other"),
            audit=other_audit,
            notices=notices,
            policy=policy,
        )
        assert not other.known_subject("u1")
        assert other.events() == []
        assert other.projection() == {}
    finally:
        other_audit.close()


# ---------------------------------------------------------------- validation against the policy


def test_an_unknown_purpose_is_a_typed_error_with_a_suggestion(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(UnknownPurpose) as caught:
        ledger.give("u1", "personalised-push", notice_id=NOTICE, notice_version="2024-01")
    assert caught.value.code == "runtime.unknown_purpose"
    assert PUSH in caught.value.text.en and PUSH in caught.value.text.zh  # did you mean …
    assert ledger.events() == []


def test_an_unknown_data_item_is_a_typed_error_with_a_suggestion(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(UnknownDataItem) as caught:
        ledger.give("u1", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["occupaton"])
    assert caught.value.code == "runtime.unknown_data"
    assert "occupation" in caught.value.text.en


def test_data_outside_the_purpose_is_refused(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(UnknownDataItem) as caught:
        ledger.give("u1", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["phone"])
    assert "phone" in caught.value.text.en and PUSH in caught.value.text.en
    assert "“phone”" in caught.value.text.zh


def test_an_unknown_recipient_is_a_typed_error_with_a_suggestion(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(UnknownRecipient) as caught:
        ledger.give("u1", SHARE, notice_id=NOTICE, notice_version="2024-01", recipient="affiliate-app-c")
    assert caught.value.code == "runtime.unknown_recipient"
    assert "affiliate-app-" in caught.value.text.en


def test_a_recipient_the_purpose_does_not_list_is_refused(
    ledger: ConsentLedger,
    database: Database,
    clock: FakeClock,
    audit: AuditLog,
    notices: NoticeService,
    policy: Policy,
) -> None:
    # A recipient the manifest knows, but for another purpose than this one.
    wider = dataclasses.replace(policy, recipients=policy.recipients | {"sms-gateway"})
    strict = ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("e"),
        audit=audit,
        notices=notices,
        policy=wider,
    )
    strict.register_subject("u1")
    with pytest.raises(UnknownRecipient) as caught:
        strict.give(
            "u1", "marketing-sms", notice_id=NOTICE, notice_version="2024-01", recipient="sms-gateway"
        )
    assert "marketing-sms" in caught.value.text.en and "sms-gateway" in caught.value.text.zh


def test_a_purpose_that_does_not_rest_on_consent_has_no_consent_to_give(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(NotConsentPurpose):
        ledger.give("u1", "online-courses", notice_id=NOTICE, notice_version="2024-01")


# ---------------------------------------------------------------- notices


def test_consent_on_a_stale_notice_is_refused(
    ledger: ConsentLedger, notices: NoticeService, policy: Policy
) -> None:
    ledger.register_subject("u1")
    # 2024-02 no longer discloses the profile tags: material for personalized-push only.
    publish_notice(notices, policy, "2024-02", leave_out=frozenset({"profile-tags"}))
    with pytest.raises(StaleNotice) as caught:
        give_push(ledger, version="2024-01")
    assert caught.value.code == "runtime.stale_notice"
    assert "2024-02" in caught.value.text.en and "2024-02" in caught.value.text.zh
    give_push(ledger, version="2024-02")
    # marketing-sms was not affected: a consent on the earlier version is still acceptable.
    ledger.give("u1", "marketing-sms", notice_id=NOTICE, notice_version="2024-01")
    assert ledger.facts("u1")["marketing-sms", None].live


def test_an_editorial_change_keeps_earlier_versions_acceptable(
    ledger: ConsentLedger, notices: NoticeService, policy: Policy
) -> None:
    ledger.register_subject("u1")
    publish_notice(notices, policy, "2024-01a", wording="（修订措辞）")
    give_push(ledger, version="2024-01")
    give_push(ledger, version="2024-01a")
    assert len(ledger.events("u1")) == 2


def test_consent_must_name_the_notice_shown(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    with pytest.raises(StaleNotice) as caught:
        ledger.record(NewConsentEvent(subject="u1", purpose=PUSH, kind=EventKind.GIVEN))
    assert PUSH in caught.value.text.en
    with pytest.raises(UnknownNotice):
        give_push(ledger, version="1999-01")


# ---------------------------------------------------------------- atomicity


def test_a_batch_with_one_bad_event_writes_none_of_it(
    ledger: ConsentLedger, database: Database, audit: AuditLog
) -> None:
    ledger.register_subject("u1")
    audit_before = len(audit.records())
    good = NewConsentEvent(
        subject="u1", purpose=PUSH, kind=EventKind.GIVEN, notice_id=NOTICE, notice_version="2024-01"
    )
    bad = dataclasses.replace(good, purpose="no-such-purpose")
    with pytest.raises(UnknownPurpose):
        ledger.record_many([good, good, bad])
    unregistered = dataclasses.replace(good, subject="nobody")  # fails inside the transaction
    with pytest.raises(UnknownSubject):
        ledger.record_many([good, unregistered])
    assert count_rows(database, ConsentEventRow) == 0
    assert count_rows(database, ConsentStateRow) == 0
    assert len(audit.records()) == audit_before


class _FailingAudit:
    """An audit log whose write fails: the change it would record must not be committed either."""

    def record_change(self, session: Any, kind: str, payload: Any) -> None:
        raise RuntimeError("audit store unavailable")


def test_a_failed_audit_write_leaves_no_event_behind(
    ledger: ConsentLedger, database: Database, clock: FakeClock, notices: NoticeService, policy: Policy
) -> None:
    ledger.register_subject("u1")
    failing = ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("f"),
        audit=_FailingAudit(),
        notices=notices,
        policy=policy,
    )
    with pytest.raises(RuntimeError):
        give_push(failing)
    assert count_rows(database, ConsentEventRow) == 0
    assert count_rows(database, ConsentStateRow) == 0


def test_a_batch_is_written_in_order(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    ledger.register_subject("u2")
    base = NewConsentEvent(
        subject="u1", purpose=PUSH, kind=EventKind.GIVEN, notice_id=NOTICE, notice_version="2024-01"
    )
    batch = [
        base,
        dataclasses.replace(base, subject="u2"),
        NewConsentEvent(subject="u1", purpose=PUSH, kind=EventKind.WITHDRAWN, mechanism=Mechanism.SETTINGS),
    ]
    written = ledger.record_many(batch)
    assert [e.seq for e in written] == sorted(e.seq for e in written)
    assert len({e.seq for e in written}) == 3
    assert ledger.events() == written
    assert not ledger.facts("u1")[PUSH, None].live
    assert ledger.facts("u2")[PUSH, None].live


# ---------------------------------------------------------------- projection and rebuild


def test_rebuild_equals_the_live_projection(
    ledger: ConsentLedger, database: Database, clock: FakeClock
) -> None:
    for subject in ("u1", "u2", "u3"):
        ledger.register_subject(subject)
    give_push(ledger, "u1")
    ledger.give("u2", SHARE, notice_id=NOTICE, notice_version="2024-01", recipient="affiliate-app-b")
    clock.advance(seconds=1)
    ledger.withdraw("u2", SHARE)
    ledger.refuse("u3", "marketing-sms")
    live = ledger.projection()
    assert live == fold(ledger.events())
    with database.transaction() as session:  # lose the projection entirely
        session.execute(text("DELETE FROM consent_state"))
    assert ledger.projection() == {}
    assert ledger.rebuild() == 4
    assert ledger.projection() == live


def test_changes_are_chained_in_the_audit_log(ledger: ConsentLedger, audit: AuditLog) -> None:
    ledger.register_subject("u1")
    event = ledger.give("u1", PUSH, notice_id=NOTICE, notice_version="2024-01")
    ledger.rebuild()
    records = audit.records()
    kinds = [r.kind for r in records]
    assert kinds == [
        "notice.published",
        "subject.registered",
        "consent.recorded",
        "consent.projection_rebuilt",
    ]
    assert records[2].payload["events"][0]["event_id"] == event.event_id
    assert audit.verify().ok


def test_subscribers_hear_after_the_commit(ledger: ConsentLedger) -> None:
    ledger.register_subject("u1")
    seen: list[bool] = []
    ledger.subscribe(lambda subject: seen.append(ledger.facts(subject)[PUSH, None].live))
    give_push(ledger)
    with pytest.raises(UnknownPurpose):
        ledger.give("u1", "nope", notice_id=NOTICE, notice_version="2024-01")
    assert seen == [True]  # heard once, and the new fact was already readable


def test_the_manifest_is_optional(
    database: Database,
    clock: FakeClock,
    audit: AuditLog,
    notices: NoticeService,
    policy: Policy,
    manifest: Manifest,
) -> None:
    bare = ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("b"),
        audit=audit,
        notices=notices,
        policy=policy,
    )
    bare.register_subject("u1")
    give_push(bare)
    (record,) = bare.export_records("u1")
    assert record["pii_controllers"] == [{"name": TENANT, "contact": None}]
    assert record["pii_categories"] == [{"data_item": "occupation", "category": None}]
    assert manifest.app.operator is not None  # the ledger fixture, with the manifest, names the operator
