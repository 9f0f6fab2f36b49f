"""Sending: decided again at send time, retried with backoff, logged, resumable without sending twice."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock
from consentgate.runtime.push.fakes import InMemoryTransport, TransportCrashed
from consentgate.runtime.push.schemas import DeliveryStatus, Outcome, Variant
from consentgate.runtime.push.service import PushService

from .conftest import CAMPAIGN, PEOPLE, Person, make_push, seed_people

SETTINGS = "app://settings/privacy?purpose=personalized-push"


def test_every_subject_gets_one_push_of_the_variant_the_gate_allows(
    engine: Engine, push: PushService, transport: InMemoryTransport
) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    report = push.send(CAMPAIGN.campaign_id)

    assert report.sent == len(PEOPLE) and report.failed == 0 and report.attempts == len(PEOPLE)
    assert Counter(m.subject for m in transport.messages) == Counter(p.subject for p in PEOPLE)
    for person in PEOPLE:
        (message,) = transport.to(person.subject)
        # u07 consented but gave no level: nothing to render, so the generic push
        rendered = person.choice == "given"
        assert message.variant is (Variant.PERSONALIZED if rendered else Variant.GENERIC), person
        if rendered:
            assert person.level is not None and person.level in message.title.en
            assert person.level in message.title.zh
        else:
            assert message.title == CAMPAIGN.generic.title
    assert all(d.status is DeliveryStatus.SENT for d in push.deliveries(CAMPAIGN.campaign_id))
    assert {d.subject: d.reason for d in push.deliveries(CAMPAIGN.campaign_id)}["u07"] == "attributes-missing"


def test_every_push_says_why_and_links_to_the_setting_that_turns_it_off(
    engine: Engine, push: PushService, transport: InMemoryTransport
) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    push.send(CAMPAIGN.campaign_id)
    for message in transport.messages:
        assert message.settings_url == SETTINGS
        assert SETTINGS in message.why.zh and SETTINGS in message.why.en
        if message.variant is Variant.PERSONALIZED:
            # Named by its label (the category's, as the manifest gives none), never by an internal id.
            assert "Language level" in message.why.en and "语言水平" in message.why.zh
            assert "Turn off personalized push" in message.why.en and "关闭个性化推送" in message.why.zh
        else:
            assert message.why.zh.startswith("未个性化推荐") and message.why.en.startswith("Not personalized")
            assert "Turn off" not in message.why.en  # personalization is already off for this person
    generic_text = " ".join(
        f"{m.title.en} {m.body.en} {m.why.en}" for m in transport.messages if m.variant is Variant.GENERIC
    )
    for person in PEOPLE:
        if person.level is not None:
            assert person.level not in generic_text  # the generic push carries no one's profile


def test_a_withdrawal_between_plan_and_send_yields_the_generic_push(
    engine: Engine, push: PushService, transport: InMemoryTransport
) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    engine.consent.withdraw("u03", "personalized-push")
    report = push.send(CAMPAIGN.campaign_id)

    (message,) = transport.to("u03")
    assert message.variant is Variant.GENERIC and "C1" not in message.title.en
    assert report.downgraded == 2  # u03 (withdrawn) and u07 (consented, but gave no level)
    delivery = next(d for d in push.deliveries(CAMPAIGN.campaign_id) if d.subject == "u03")
    assert delivery.variant is Variant.GENERIC and delivery.reason == "withdrawn"


def test_a_send_crashed_half_way_resumes_and_delivers_everyone_exactly_once(
    engine: Engine, push: PushService, transport: InMemoryTransport
) -> None:
    seed_people(engine)
    push.plan(CAMPAIGN)
    transport.crash_after(4)  # mid-way through the second batch of three
    with pytest.raises(TransportCrashed):
        push.send(CAMPAIGN.campaign_id)
    statuses = Counter(d.status for d in push.deliveries(CAMPAIGN.campaign_id))
    assert statuses == {DeliveryStatus.SENT: 4, DeliveryStatus.PENDING: len(PEOPLE) - 4}
    interrupted = [a for a in push.attempts(CAMPAIGN.campaign_id) if a.error and "interrupted" in a.error]
    assert [a.subject for a in interrupted] == ["u05"]

    transport.crash_after(None)
    report = push.send(CAMPAIGN.campaign_id)

    assert report.sent == len(PEOPLE) - 4
    assert Counter(m.subject for m in transport.messages) == Counter(p.subject for p in PEOPLE)
    assert len(transport.messages) == len(PEOPLE)
    assert push.send(CAMPAIGN.campaign_id).sent == 0  # nothing left: a third send sends nothing
    assert len(transport.messages) == len(PEOPLE)
    resumed = push.attempts(CAMPAIGN.campaign_id, "u05")
    assert [(a.attempt, a.outcome) for a in resumed] == [(1, Outcome.FAILED), (2, Outcome.DELIVERED)]


def test_a_failing_transport_is_retried_with_exponential_backoff(
    engine: Engine, push: PushService, transport: InMemoryTransport, clock: FakeClock, sleeps: list[float]
) -> None:
    seed_people(engine, PEOPLE[:1])
    push.plan(CAMPAIGN)
    transport.fail_next(1)
    transport.time_out_next(1)
    report = push.send(CAMPAIGN.campaign_id)

    assert report.sent == 1 and report.attempts == 3
    log = push.attempts(CAMPAIGN.campaign_id, "u01")
    assert [a.outcome for a in log] == [Outcome.TIMEOUT, Outcome.FAILED, Outcome.DELIVERED]
    assert sleeps == [0.5, 1.0]
    assert [b.at - a.at for a, b in itertools.pairwise(log)] == [
        timedelta(seconds=0.5),
        timedelta(seconds=1),
    ]
    assert log[0].error is not None and "u01" in log[0].error
    assert log[-1].receipt is not None


def test_a_transport_that_keeps_failing_is_recorded_as_failed_and_can_be_retried(
    engine: Engine, push: PushService, transport: InMemoryTransport
) -> None:
    seed_people(engine, PEOPLE[:2])
    push.plan(CAMPAIGN)
    transport.fail_next(3)  # all three attempts for u01
    report = push.send(CAMPAIGN.campaign_id)

    assert (report.sent, report.failed, report.attempts) == (1, 1, 4)
    failed = next(d for d in push.deliveries(CAMPAIGN.campaign_id) if d.subject == "u01")
    assert failed.status is DeliveryStatus.FAILED and failed.attempts == 3
    assert push.send(CAMPAIGN.campaign_id).sent == 0  # a failure is kept, not silently resent

    retried = push.send(CAMPAIGN.campaign_id, retry_failed=True)
    assert retried.sent == 1
    assert [a.attempt for a in push.attempts(CAMPAIGN.campaign_id, "u01")] == [1, 2, 3, 4]
    assert len(transport.to("u01")) == 1


def test_send_in_slices_covers_every_batch(
    engine: Engine, transport: InMemoryTransport, clock: FakeClock, sleeps: list[float]
) -> None:
    people = tuple(Person(f"s{i:03d}", "given" if i % 3 else "none", "B1") for i in range(23))
    seed_people(engine, people)
    push = make_push(engine, transport, clock, sleeps, batch_size=5)
    assert push.plan(CAMPAIGN).planned == 23
    assert push.send(CAMPAIGN.campaign_id, max_batches=2).sent == 10
    assert push.send(CAMPAIGN.campaign_id).sent == 13
    assert sorted(m.subject for m in transport.messages) == [p.subject for p in people]


def test_profiles_are_read_only_for_subjects_the_gate_allows(
    engine: Engine,
    transport: InMemoryTransport,
    clock: FakeClock,
    sleeps: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_people(engine)
    read: list[str] = []
    real = engine.profiles.read

    def spy(subject: str, purpose: str) -> dict[str, object]:
        read.append(subject)
        return real(subject, purpose)

    monkeypatch.setattr(engine.profiles, "read", spy)
    push = make_push(engine, transport, clock, sleeps)
    push.plan(CAMPAIGN)
    assert read == []  # planning decides on consent facts alone
    push.send(CAMPAIGN.campaign_id)
    assert sorted(read) == sorted(p.subject for p in PEOPLE if p.personalized)
