"""The gate service with in-memory fakes: validation, the cache, invalidation and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentgate.runtime.consent.schemas import EventKind, Mechanism, SubjectFacts
from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose, UnknownRecipient, UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.policy import Policy
from tests.runtime.gate.fakes import FakeAudit, FakeLedger, FakeNotices, seed_policy

R = ReasonCode


class World:
    def __init__(self, *, max_subjects: int = 100_000) -> None:
        self.policy: Policy = seed_policy()
        self.ledger = FakeLedger()
        self.notices = FakeNotices.all_on(self.policy)
        self.audit = FakeAudit()
        self.gate = Gate(
            policy=self.policy,
            ledger=self.ledger,
            notices=self.notices,
            audit=self.audit,
            max_subjects=max_subjects,
        )
        self.ledger.register("alice")
        self.ledger.register("bob")


@pytest.fixture
def world() -> World:
    return World()


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


def test_known_subjects_are_checked_once(world: World) -> None:
    for purpose, data in [
        ("online-courses", "phone"),
        ("marketing-sms", "phone"),
        ("certificates", "english-name"),
    ]:
        world.gate.decide("alice", purpose, data)
    assert world.ledger.known_checks == 1


# The cache.


def test_warm_decisions_read_facts_once(world: World) -> None:
    world.ledger.record("alice", "personalized-push", EventKind.GIVEN)
    for _ in range(50):
        assert world.gate.decide("alice", "personalized-push", "occupation").allowed
        assert not world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert world.ledger.fact_reads == 1
    assert world.notices.reads == 1


def _shapes() -> Iterator[object]:
    yield ("occupation", "learning-goal")
    yield ["learning-goal", "occupation"]
    yield {"occupation", "learning-goal"}
    yield frozenset({"occupation", "learning-goal"})
    yield (d for d in ("occupation", "learning-goal"))


def test_every_shape_of_data_gets_the_same_decision(world: World) -> None:
    event = world.ledger.record("alice", "personalized-push", EventKind.GIVEN, data=["occupation"])
    for shape in _shapes():
        decision = world.gate.decide("alice", "personalized-push", shape)  # type: ignore[arg-type]
        assert decision.reason_code is R.DATA_NOT_CONSENTED, shape
    assert world.gate.decide("alice", "personalized-push", "occupation").consent_event_id == event
    assert world.gate.decide("alice", "personalized-push", ["occupation"]).consent_event_id == event


def test_a_string_is_one_data_item_not_its_letters(world: World) -> None:
    assert world.gate.decide("alice", "online-courses", "phone").reason_code is R.CONTRACT_NECESSITY


def test_subjects_do_not_share_decisions(world: World) -> None:
    world.ledger.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert world.gate.decide("bob", "marketing-sms", "phone").reason_code is R.NO_CONSENT


# Invalidation: withdrawal and notices take effect on the very next call.


def test_withdrawal_takes_effect_on_the_next_call(world: World) -> None:
    world.ledger.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    world.ledger.record("alice", "marketing-sms", EventKind.WITHDRAWN, mechanism=Mechanism.SETTINGS)
    assert world.gate.decide("alice", "marketing-sms", "phone").reason_code is R.WITHDRAWN


def test_a_restriction_denies_every_purpose_on_the_next_call_and_lifting_it_restores_them(
    world: World,
) -> None:
    world.ledger.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    assert world.gate.decide("alice", "online-courses", "phone").allowed  # contract necessity
    world.ledger.restrict("alice")
    for purpose in world.policy.purposes.values():
        decision = world.gate.decide("alice", purpose.id, ())
        assert (decision.allowed, decision.reason_code) == (False, R.RESTRICTED), purpose.id
    assert world.gate.decide("alice", "online-courses", "phone").reason_code is R.RESTRICTED
    assert world.gate.decide("bob", "online-courses", "phone").allowed  # only alice is restricted
    world.ledger.restrict("alice", on=False)
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed


def test_consent_given_after_a_denial_allows_the_next_call(world: World) -> None:
    assert not world.gate.decide("alice", "certificates", "english-name").allowed
    world.ledger.record("alice", "certificates", EventKind.GIVEN)
    assert world.gate.decide("alice", "certificates", "english-name").allowed


def test_another_subjects_change_keeps_this_subjects_cache(world: World) -> None:
    world.gate.decide("alice", "marketing-sms", "phone")
    world.ledger.record("bob", "marketing-sms", EventKind.GIVEN)
    world.gate.decide("alice", "marketing-sms", "phone")
    assert world.ledger.fact_reads == 1


def test_material_notice_change_makes_consent_stale_on_the_next_call(world: World) -> None:
    world.ledger.record("alice", "personalized-push", EventKind.GIVEN)
    world.ledger.record("alice", "marketing-sms", EventKind.GIVEN)
    assert world.gate.decide("alice", "personalized-push", "occupation").allowed
    world.notices.publish("2024-02", material_for=["personalized-push"])
    assert world.gate.decide("alice", "personalized-push", "occupation").reason_code is R.STALE_NOTICE
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed
    world.ledger.record("alice", "personalized-push", EventKind.GIVEN, version="2024-02")
    assert world.gate.decide("alice", "personalized-push", "occupation").allowed


def test_a_change_committed_while_deciding_is_not_cached_over(world: World) -> None:
    """The ledger commits a withdrawal while the gate is still reading the facts it had before."""
    world.ledger.record("alice", "marketing-sms", EventKind.GIVEN)
    before = world.ledger.facts("alice")
    reads = world.ledger.fact_reads

    def racing_read(subject: str) -> SubjectFacts:
        world.ledger.fact_reads += 1
        world.ledger.record(subject, "marketing-sms", EventKind.WITHDRAWN)  # commits and notifies mid-read
        return before

    world.ledger.facts = racing_read  # type: ignore[method-assign]
    assert world.gate.decide("alice", "marketing-sms", "phone").allowed  # answered from what it read
    del world.ledger.facts
    assert world.gate.decide("alice", "marketing-sms", "phone").reason_code is R.WITHDRAWN
    assert world.ledger.fact_reads == reads + 2


def test_forgetting_a_subject_rechecks_that_it_exists() -> None:
    world = World()
    world.gate.decide("alice", "online-courses", "phone")
    del world.ledger.facts_by_subject["alice"]  # erased
    world.gate.forget("alice")
    with pytest.raises(UnknownSubject):
        world.gate.decide("alice", "online-courses", "phone")


def test_the_cache_holds_at_most_max_subjects() -> None:
    world = World(max_subjects=1)
    world.gate.decide("alice", "online-courses", "phone")
    world.gate.decide("bob", "online-courses", "phone")
    world.gate.decide("alice", "online-courses", "phone")
    assert world.ledger.fact_reads == 3


# The audit trail of released data.


def test_every_release_is_audited_even_from_the_cache(world: World) -> None:
    event = world.ledger.record("alice", "personalized-push", EventKind.GIVEN)
    for _ in range(3):
        world.gate.decide("alice", "personalized-push", ["occupation", "learning-goal"])
    assert len(world.audit.decisions) == 3
    assert dict(world.audit.decisions[0]) == {
        "subject": "alice",
        "purpose": "personalized-push",
        "data": ["learning-goal", "occupation"],
        "recipient": None,
        "reason": "consent",
        "consent_event_id": event,
    }


def test_contract_necessity_releases_are_audited_too(world: World) -> None:
    world.gate.decide("alice", "online-courses", "phone")
    assert [d["reason"] for d in world.audit.decisions] == ["contract-necessity"]


def test_denials_release_nothing_and_are_not_audited(world: World) -> None:
    world.gate.decide("alice", "marketing-sms", "phone")
    world.gate.decide("alice", "personalized-push", "occupation")
    assert world.audit.decisions == []


def test_sharing_release_names_the_recipient(world: World) -> None:
    world.ledger.record(
        "alice",
        "share-affiliates",
        EventKind.GIVEN,
        recipient="affiliate-app-a",
        mechanism=Mechanism.SEPARATE,
    )
    assert world.gate.decide("alice", "share-affiliates", "orders", recipient="affiliate-app-a").allowed
    assert not world.gate.decide("alice", "share-affiliates", "orders", recipient="affiliate-app-b").allowed
    assert [d["recipient"] for d in world.audit.decisions] == ["affiliate-app-a"]
