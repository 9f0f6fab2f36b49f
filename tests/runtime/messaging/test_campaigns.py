"""Campaigns reach only live marketing consent; unsubscribe at once; caps, quiet hours, failures, resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consentgate.runtime.consent.schemas import ConsentEvent, EventKind, Mechanism
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.messaging.config import FrequencyCap
from consentgate.runtime.messaging.errors import (
    CampaignConflict,
    UnknownCampaign,
    UnknownChannel,
    UnknownUnsubscribeToken,
)
from consentgate.runtime.messaging.fakes import InMemorySender
from consentgate.runtime.messaging.ports import Receipt
from consentgate.runtime.messaging.schemas import MessageStatus
from consentgate.text import Text
from tests.runtime.messaging.conftest import PURPOSE, World, tokens_in

SPRING = Text(zh="春季英语课程八折，欢迎报名。", en="Spring English courses 20% off: sign up now.")
PHONES = {"alice": "13800000001", "bob": "13800000002", "carol": "13800000003", "dave": "13800000004"}


def _withdrawals(world: World, subject: str) -> list[ConsentEvent]:
    return [e for e in world.engine.consent.events(subject) if e.kind is EventKind.WITHDRAWN]


def test_campaign_reaches_only_subjects_with_live_marketing_consent(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "alice", PHONES["alice"], consent=True)
    world.user(messaging, "bob", PHONES["bob"], consent=False)
    world.user(messaging, "carol", PHONES["carol"], consent=None)
    world.user(messaging, "dave", PHONES["dave"], consent=True)
    world.engine.consent.withdraw("dave", PURPOSE)
    messaging.create_campaign("spring", channel="sms", text=SPRING)

    report = messaging.send_campaign("spring")

    assert [m.address for m in world.sender.sent] == [PHONES["alice"]]
    assert report.considered == 4 and report.count(MessageStatus.SENT) == 1
    assert report.denied_by_reason == {
        ReasonCode.REFUSED.value: 1,
        ReasonCode.NO_CONSENT.value: 1,
        ReasonCode.WITHDRAWN.value: 1,
    }
    sent = world.sender.sent[0].text
    assert SPRING.zh in sent and SPRING.en in sent and "退订" in sent and "Unsubscribe" in sent
    assert world.engine.manifest.app.name in sent
    [token] = set(tokens_in(sent))
    [record] = messaging.messages(campaign_id="spring")
    assert (record.subject, record.status, record.channel) == ("alice", MessageStatus.SENT, "sms")
    assert record.token_hash is not None and token not in record.token_hash
    assert all(token not in str(row) for row in world.rows("unsubscribe_tokens"))


def test_unknown_channel_campaign_and_token_are_typed_bilingual_errors(world: World) -> None:
    messaging = world.service()
    with pytest.raises(UnknownChannel) as email:
        messaging.create_campaign("mail", channel="email", text=SPRING)
    assert email.value.code == "messaging.unknown_channel"
    assert "email" in email.value.text.zh and "sms" in email.value.text.en
    with pytest.raises(UnknownChannel) as typo:
        messaging.send_to_address("13800000001", channel="smss", text=SPRING)
    assert "sms" in typo.value.text.en and typo.value.text.zh != typo.value.text.en
    with pytest.raises(UnknownCampaign) as missing:
        messaging.send_campaign("nope")
    assert "nope" in missing.value.text.zh and "nope" in missing.value.text.en
    messaging.create_campaign("spring", channel="sms", text=SPRING)
    assert messaging.create_campaign("spring", channel="sms", text=SPRING).text == SPRING  # idempotent
    with pytest.raises(CampaignConflict):
        messaging.create_campaign("spring", channel="sms", text=Text(zh="别的", en="other"))
    with pytest.raises(UnknownUnsubscribeToken) as token:
        messaging.unsubscribe("not-a-token")
    assert token.value.text.zh and token.value.text.en


def test_unsubscribe_withdraws_at_once_and_a_replayed_token_changes_nothing(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "alice", PHONES["alice"], consent=True)
    messaging.create_campaign("spring", channel="sms", text=SPRING)
    messaging.send_campaign("spring")
    [token] = set(tokens_in(world.sender.sent[0].text))

    first = messaging.unsubscribe(token)

    assert (first.subject, first.purpose, first.channel) == ("alice", PURPOSE, "sms")
    decision = world.engine.gate.decide("alice", PURPOSE, "phone")
    assert not decision.allowed and decision.reason_code is ReasonCode.WITHDRAWN  # the very next call
    [withdrawal] = _withdrawals(world, "alice")
    assert withdrawal.mechanism is Mechanism.SETTINGS and withdrawal.event_id == first.event_id

    world.clock.advance(hours=1)
    assert messaging.unsubscribe(token) == first
    assert len(_withdrawals(world, "alice")) == 1

    messaging.create_campaign("summer", channel="sms", text=SPRING)
    report = messaging.send_campaign("summer")
    assert len(world.sender.sent) == 1 and report.denied_by_reason == {ReasonCode.WITHDRAWN.value: 1}


def test_frequency_cap_holds_back_messages_within_the_rolling_window(world: World) -> None:
    messaging = world.service(frequency_cap=FrequencyCap(max_messages=2, window=timedelta(days=7)))
    world.user(messaging, "alice", PHONES["alice"], consent=True)
    for name in ("one", "two", "three"):
        messaging.create_campaign(name, channel="sms", text=SPRING)
        world.clock.advance(days=1)
        report = messaging.send_campaign(name)
    assert len(world.sender.sent) == 2
    assert report.count(MessageStatus.CAPPED) == 1
    [capped] = messaging.messages(campaign_id="three")
    assert capped.status is MessageStatus.CAPPED and capped.reason == "frequency-cap"

    world.clock.advance(days=6)  # the first message has left the 7-day window
    again = messaging.send_campaign("three")
    assert again.count(MessageStatus.SENT) == 1 and len(world.sender.sent) == 3


def test_quiet_hours_defer_messages_until_morning_and_never_drop_them(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "alice", PHONES["alice"], consent=True)
    world.user(messaging, "bob", PHONES["bob"], consent=True)
    messaging.create_campaign("night", channel="sms", text=SPRING)
    world.clock.advance(hours=13, minutes=30)  # 22:30 in Beijing

    report = messaging.send_campaign("night")

    assert world.sender.sent == [] and report.count(MessageStatus.DEFERRED) == 2
    morning = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)  # 08:00 in Beijing
    assert {r.not_before for r in messaging.messages(campaign_id="night")} == {morning}
    assert messaging.release_deferred() == []  # still night
    world.engine.consent.withdraw("bob", PURPOSE)  # bob changes his mind overnight

    world.clock.advance(hours=9, minutes=31)  # 08:01
    released = messaging.release_deferred()

    assert [d.status for d in released] == [MessageStatus.SENT, MessageStatus.DENIED]
    assert [m.address for m in world.sender.sent] == [PHONES["alice"]]
    assert messaging.release_deferred() == []
    assert messaging.send_campaign("night").already_sent == 1 and len(world.sender.sent) == 1


class _Flaky:
    """Fails its first call, as a provider outage would."""

    def __init__(self) -> None:
        self.inner = InMemorySender()
        self.calls = 0

    def send(self, channel: str, address: str, text: str) -> Receipt:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("provider timed out")
        return self.inner.send(channel, address, text)


def test_a_failing_sender_is_recorded_then_retried_by_the_next_run(world: World) -> None:
    flaky = _Flaky()
    messaging = world.service(sender=flaky)
    world.user(messaging, "alice", PHONES["alice"], consent=True)
    messaging.create_campaign("spring", channel="sms", text=SPRING)

    first = messaging.send_campaign("spring")

    assert first.count(MessageStatus.FAILED) == 1
    [failed] = messaging.messages(campaign_id="spring")
    assert failed.status is MessageStatus.FAILED and failed.error == "TimeoutError: provider timed out"
    second = messaging.send_campaign("spring")
    assert second.count(MessageStatus.SENT) == 1 and len(flaky.inner.sent) == 1


class _Crash(BaseException):
    """The process dying: not an error the service may catch."""


class _DiesAfter:
    """Delivers `n` messages, then the process dies just after the provider accepted one more."""

    def __init__(self, inner: InMemorySender, n: int) -> None:
        self.inner = inner
        self.n = n

    def send(self, channel: str, address: str, text: str) -> Receipt:
        self.inner.send(channel, address, text)
        if len(self.inner.sent) > self.n:
            raise _Crash
        return self.inner.sent[-1].receipt


def test_an_interrupted_campaign_resumes_without_sending_anything_twice(world: World) -> None:
    subjects = [f"user-{i}" for i in range(6)]
    messaging = world.service(batch_size=4)
    for i, subject in enumerate(subjects):
        world.user(messaging, subject, f"1390000000{i}", consent=True)
    messaging.create_campaign("spring", channel="sms", text=SPRING)
    with pytest.raises(_Crash):
        world.service(sender=_DiesAfter(world.sender, 2), batch_size=4).send_campaign("spring")
    assert len(world.sender.sent) == 3

    resumed = messaging.send_campaign("spring")

    assert resumed.already_sent == 3 and resumed.count(MessageStatus.SENT) == 3
    addresses = [m.address for m in world.sender.sent]
    assert sorted(addresses) == sorted(f"1390000000{i}" for i in range(6))  # each exactly once
    statuses = {r.subject: r.status for r in messaging.messages(campaign_id="spring")}
    assert statuses["user-2"] is MessageStatus.SENDING  # in doubt: never handed to the sender again
    assert messaging.send_campaign("spring").already_sent == 6 and len(world.sender.sent) == 6
