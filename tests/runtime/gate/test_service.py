"""The gate service over the real ledger, notices and audit log (SQLite and PostgreSQL): validation,
the cache, invalidation at commit and the audit trail of released data.

Reads are counted by wrapping the real methods, so the cache tests fail when the gate reads more than
it must, and the invalidation tests fail when it answers from facts a commit has changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from consentgate.runtime.auditlog.schemas import DECISION_KIND
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.schemas import EventKind, Mechanism, NewConsentEvent, SubjectFacts
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose, UnknownRecipient, UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.store.database import Database
from tests.runtime.conftest import NOTICE, publish_notice

R = ReasonCode


@dataclass
class World:
    """The real components of one tenant, a gate over them, and `alice` and `bob` registered."""

    database: Database
    policy: Policy
    ledger: ConsentLedger
    notices: NoticeService
    audit: AuditLog
    gate: Gate

    def record(
        self,
        subject: str,
        purpose: str,
        kind: EventKind,
        *,
        recipient: str | None = None,
        version: str | None = "2024-01",
        data: Iterable[str] = (),
        mechanism: Mechanism = Mechanism.IN_FLOW,
    ) -> str:
        """Commits one event through the ledger; returns its id."""
        new = NewConsentEvent(
            subject=subject,
            purpose=purpose,
            kind=kind,
            data=tuple(data),
            recipient=recipient,
            notice_id=NOTICE if version is not None else None,
            notice_version=version,
            mechanism=mechanism,
        )
        return self.ledger.record(new).event_id

    def restrict(self, subject: str, *, on: bool = True) -> None:
        with self.database.transaction() as session:
            self.ledger.set_restriction_in(session, subject, restricted=on)

    def decisions(self) -> list[dict[str, Any]]:
        """The released-data decisions the audit chain holds, once the buffer is flushed."""
        self.audit.flush()
        return [dict(r.payload) for r in self.audit.records() if r.kind == DECISION_KIND]


def count_calls(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> list[object]:
    """Wraps `target.name` (the real method) so that each call is listed; returns the list."""
    calls: list[object] = []
    real: Callable[..., Any] = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls


def gate_over(
    ledger: ConsentLedger, notices: NoticeService, audit: AuditLog, policy: Policy, **options: Any
) -> Gate:
    return Gate(policy=policy, ledger=ledger, notices=notices, audit=audit, **options)


@pytest.fixture
def world(
    database: Database, policy: Policy, ledger: ConsentLedger, notices: NoticeService, audit: AuditLog
) -> World:
    ledger.register_subjects(["alice", "bob"])
    return World(database, policy, ledger, notices, audit, gate_over(ledger, notices, audit, policy))


# Validation: typed errors with a "did you mean", before any decision.


def test_unknown_purpose_suggests_the_close_one(world: World) -> None:
    with pytest.raises(UnknownPurpose) as raised:
        world.gate.decide("alice", "personalised-push", "occupation")
    assert "personalized-push" in raised.value.text.en
    assert "personalized-push" in raised.value.text.zh
    assert raised.value.code == "runtime.unknown_purpose"


def test_unknown_data_item_is_an_error_not_a_denial(world: World) -> None:
    with pytest.raises(UnknownDataItem) as raised:
        world.gate.decide("alice", "personalized-push", ["occupation", "ocupation"])
    assert "'ocupation'" in raised.value.text.en
    assert "occupation" in raised.value.text.en.split("did you mean")[1]


def test_unknown_recipient(world: World) -> None:
    with pytest.raises(UnknownRecipient) as raised:
        world.gate.decide("alice", "share-affiliates", "phone", recipient="affiliate-app-c")
    assert "affiliate-app-c" in raised.value.text.en


def test_unknown_subject(world: World) -> None:
    with pytest.raises(UnknownSubject):
        world.gate.decide("mallory", "online-courses", "phone")


def test_known_subjects_are_checked_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = count_calls(monkeypatch, world.ledger, "known_subject")
    for purpose, data in [
        ("online-courses", "phone"),
        ("marketing-sms", "phone"),
        ("certificates", "english-name"),
    ]:
        world.gate.decide("alice", purpose, data)
    assert len(checks) == 1


# The cache.


def test_warm_decisions_read_facts_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.record("alice", "personalized-push", EventKind.GIVEN)
    reads = count_calls(monkeypatch, world.ledger, "standing")
    notice_reads = count_calls(monkeypatch, world.notices, "acceptable_versions")
    for _ in range(50):
        assert world.gate.decide("alice", "personalized-push", "occupation").allowed
        assert not world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert len(reads) == 1
    assert len(notice_reads) == 1


def _shapes() -> Iterator[object]:
    yield ("occupation", "learning-goal")
    yield ["learning-goal", "occupation"]
    yield {"occupation", "learning-goal"}
    yield frozenset({"occupation", "learning-goal"})
    yield (d for d in ("occupation", "learning-goal"))


def test_every_shape_of_data_gets_the_same_decision(world: World) -> None:
    event = world.record("alice", "personalized-push", EventKind.GIVEN, data=["occupation"])
    for shape in _shapes():
        decision = world.gate.decide("alice", "personalized-push", shape)  # type: ignore[arg-type]
        assert decision.reason_code is R.DATA_NOT_CONSENTED, shape
    assert world.gate.decide("alice", "personalized-push", "occupation").consent_event_id == event
    assert world.gate.decide("alice", "personalized-push", ["occupation"]).consent_event_id == event


def test_a_string_is_one_data_item_not_its_letters(world: World) -> None:
    assert world.gate.decide("alice", "online-courses", "phone").reason_code is R.CONTRACT_NECESSITY


def test_subjects_do_not_share_decisions(world: World) -> None:
    world.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert world.gate.decide("bob", "marketing-sms", "phone").reason_code is R.NO_CONSENT


# Invalidation: withdrawal and notices take effect on the very next call.


def test_withdrawal_takes_effect_on_the_next_call(world: World) -> None:
    world.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    world.record("alice", "marketing-sms", EventKind.WITHDRAWN, mechanism=Mechanism.SETTINGS)
    assert world.gate.decide("alice", "marketing-sms", "phone").reason_code is R.WITHDRAWN


def test_a_restriction_denies_every_purpose_on_the_next_call_and_lifting_it_restores_them(
    world: World,
) -> None:
    world.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert world.gate.decide("alice", "online-courses", "phone").allowed  # contract necessity
    world.restrict("alice")
    for purpose in world.policy.purposes.values():
        decision = world.gate.decide("alice", purpose.id, ())
        assert (decision.allowed, decision.reason_code) == (False, R.RESTRICTED), purpose.id
    assert world.gate.decide("alice", "online-courses", "phone").reason_code is R.RESTRICTED
    assert world.gate.decide("bob", "online-courses", "phone").allowed  # only alice is restricted
    world.restrict("alice", on=False)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed


def test_consent_given_after_a_denial_allows_the_next_call(world: World) -> None:
    assert not world.gate.decide("alice", "certificates", "english-name").allowed
    world.record("alice", "certificates", EventKind.GIVEN)
    assert world.gate.decide("alice", "certificates", "english-name").allowed


def test_another_subjects_change_keeps_this_subjects_cache(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = count_calls(monkeypatch, world.ledger, "standing")
    world.gate.decide("alice", "marketing-sms", "phone")
    world.record("bob", "marketing-sms", EventKind.GIVEN)
    world.gate.decide("alice", "marketing-sms", "phone")
    assert reads == [("alice",)]


def test_material_notice_change_makes_consent_stale_on_the_next_call(world: World) -> None:
    world.record("alice", "personalized-push", EventKind.GIVEN)
    world.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "personalized-push", "occupation").allowed
    # 2024-02 no longer discloses the profile tags: material for personalized push only.
    publish_notice(world.notices, world.policy, "2024-02", leave_out=frozenset({"profile-tags"}))
    assert world.gate.decide("alice", "personalized-push", "occupation").reason_code is R.STALE_NOTICE
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    world.record("alice", "personalized-push", EventKind.GIVEN, version="2024-02")
    assert world.gate.decide("alice", "personalized-push", "occupation").allowed


def test_a_change_committed_while_deciding_is_not_cached_over(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger commits a withdrawal while the gate is still reading the facts it had before."""
    world.record("alice", "marketing-sms", EventKind.GIVEN)
    real_standing = world.ledger.standing
    reads: list[str] = []

    def racing_standing(subject: str) -> tuple[SubjectFacts, bool]:
        seen = real_standing(subject)
        reads.append(subject)
        if len(reads) == 1:  # commits (and notifies the gate) after the gate's read, before its answer
            world.record(subject, "marketing-sms", EventKind.WITHDRAWN, version=None)
        return seen

    monkeypatch.setattr(world.ledger, "standing", racing_standing)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed  # answered from what it read
    assert world.gate.decide("alice", "marketing-sms", "phone").reason_code is R.WITHDRAWN
    assert world.gate.decide("alice", "marketing-sms", "phone").reason_code is R.WITHDRAWN
    assert reads == ["alice", "alice"]  # the first answer was not cached; the second one was


def test_an_erased_subject_is_unknown_on_the_next_call(world: World) -> None:
    world.gate.decide("alice", "online-courses", "phone")
    with world.database.transaction() as session:
        world.ledger.erase_in(session, ["alice"])
    with pytest.raises(UnknownSubject):
        world.gate.decide("alice", "online-courses", "phone")


def test_the_cache_holds_at_most_max_subjects(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = gate_over(world.ledger, world.notices, world.audit, world.policy, max_subjects=1)
    reads = count_calls(monkeypatch, world.ledger, "standing")
    gate.decide("alice", "online-courses", "phone")
    gate.decide("bob", "online-courses", "phone")
    gate.decide("alice", "online-courses", "phone")
    assert len(reads) == 3


# The audit trail of released data.


def test_every_release_is_audited_even_from_the_cache(world: World) -> None:
    event = world.record("alice", "personalized-push", EventKind.GIVEN)
    # A list is never a cache key; a tuple is, so its second call is answered from the cache.
    for data in (
        ["occupation", "learning-goal"],
        ("occupation", "learning-goal"),
        ("occupation", "learning-goal"),
    ):
        world.gate.decide("alice", "personalized-push", data)
    decisions = world.decisions()
    assert len(decisions) == 3 and decisions[0] == decisions[2]
    assert decisions[0] == {
        "subject_ref": world.ledger.ref("alice"),  # the chain names people by their ref only
        "purpose": "personalized-push",
        "data": ["learning-goal", "occupation"],
        "recipient": None,
        "reason": "consent",
        "consent_event_id": event,
        "decided_at": "2026-01-05T09:00:00.000000Z",  # the decision's own time (the fixtures' FakeClock)
    }


def test_contract_necessity_releases_are_audited_too(world: World) -> None:
    world.gate.decide("alice", "online-courses", "phone")
    assert [d["reason"] for d in world.decisions()] == ["contract-necessity"]


def test_denials_release_nothing_and_are_not_audited(world: World) -> None:
    world.gate.decide("alice", "marketing-sms", "phone")
    world.gate.decide("alice", "personalized-push", "occupation")
    assert world.decisions() == []


def test_sharing_release_names_the_recipient(world: World) -> None:
    world.record(
        "alice",
        "share-affiliates",
        EventKind.GIVEN,
        recipient="affiliate-app-a",
        mechanism=Mechanism.SEPARATE,
    )
    assert world.gate.decide("alice", "share-affiliates", "orders", recipient="affiliate-app-a").allowed
    assert not world.gate.decide("alice", "share-affiliates", "orders", recipient="affiliate-app-b").allowed
    assert [d["recipient"] for d in world.decisions()] == ["affiliate-app-a"]
