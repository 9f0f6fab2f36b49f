"""Correction notices (PIPL 46): a recipient holding a corrected value is told, then sent the new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownDataItem
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import (
    NotificationReason,
    NotificationRecord,
    NotificationStatus,
    Receipt,
    Recipient,
    TransferPayload,
    TransferStatus,
)
from tests.runtime.sharing.conftest import APP_A, APP_B, FIXED, PHONE, SHARE, World

OLD, NEW = "中学教师", "软件工程师"


@dataclass
class OrderedSink(InMemorySink):
    """Also keeps one log of deliveries and notices in the order they reached the recipients."""

    log: list[tuple[str, str]] = field(default_factory=list)

    def deliver(self, recipient: Recipient, payload: TransferPayload) -> Receipt:
        receipt = super().deliver(recipient, payload)
        self.log.append(("data", recipient.id))
        return receipt

    def notify_withdrawal(
        self,
        recipient: Recipient,
        subject_ref: str,
        purpose: str,
        *,
        reason: NotificationReason,
        notification_id: str,
        fields: tuple[str, ...] = (),
    ) -> Receipt:
        receipt = super().notify_withdrawal(
            recipient, subject_ref, purpose, reason=reason, notification_id=notification_id, fields=fields
        )
        self.log.append((reason.value, recipient.id))
        return receipt


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    """The fixed seed app, except that the affiliates may also receive the occupation."""
    text = FIXED.read_text(encoding="utf-8")
    shared = "    data: [phone, orders]\n    recipients: [affiliate-app-a, affiliate-app-b]"
    assert shared in text
    manifest = tmp_path / "occupation-shared.yaml"
    manifest.write_text(text.replace(shared, shared.replace("orders]", "orders, occupation]")), "utf-8")
    sink = OrderedSink()
    engine = Engine.from_manifest(
        manifest,
        create=True,
        database_url=database_url,
        clock=FakeClock(),
        ids=SequentialIds("e"),
        sharing_sink=sink,
    )
    try:
        yield World(engine, engine.sharing, sink)
    finally:
        engine.close()


def shared_occupation(world: World) -> str:
    """A user whose phone and occupation went to app A, and only the phone to app B."""
    user = world.user()
    world.engine.profiles.set(user, "occupation", OLD, purposes=["personalized-push"], consent_event_id=None)
    world.consent(user, APP_A, data=("phone", "occupation"))
    world.consent(user, APP_B, data=("phone",))
    assert world.sharing.transfer(user, SHARE, APP_A, ["phone", "occupation"]).delivered
    assert world.sharing.transfer(user, SHARE, APP_B, ["phone"]).delivered
    return user


def correct_occupation(world: World, user: str) -> list[NotificationRecord]:
    correction = world.engine.profiles.correct(user, "occupation", NEW)
    return world.sharing.notify_correction(user, correction.changed)


def test_a_recipient_that_got_the_occupation_is_told_and_then_sent_the_new_value(world: World) -> None:
    user = shared_occupation(world)
    sink = world.sink
    assert isinstance(sink, OrderedSink)
    sink.log.clear()

    [notice] = correct_occupation(world, user)

    assert (notice.recipient, notice.purpose, notice.reason) == (APP_A, SHARE, NotificationReason.CORRECTION)
    assert notice.fields == ("occupation",) and notice.status is NotificationStatus.SENT
    [told] = [n for n in sink.notices if n.reason is NotificationReason.CORRECTION]
    assert (told.recipient, told.fields, told.notification_id) == (
        APP_A,
        ("occupation",),
        notice.notification_id,
    )
    assert told.subject_ref == world.sharing.subject_ref(user, APP_A)
    # The notice first, then only the corrected value: app A never gets it before it hears why.
    assert sink.log == [("correction", APP_A), ("data", APP_A)]
    assert dict(sink.delivered_to(APP_A)[-1].data) == {"occupation": NEW}
    last = world.sharing.transfers(user)[-1]
    assert (last.recipient, last.fields, last.status) == (APP_A, ("occupation",), TransferStatus.DELIVERED)
    assert world.sharing.notifications(user) == [notice]


def test_a_recipient_that_got_only_other_fields_is_not_told(world: World) -> None:
    user = shared_occupation(world)
    correct_occupation(world, user)
    assert world.sink.notified(APP_B) == []
    assert len(world.sink.delivered_to(APP_B)) == 1  # the phone it got at first, nothing since
    assert world.sharing.notify_correction(user, ["orders"]) == []  # delivered to nobody


def test_after_withdrawal_the_recipient_is_told_but_sent_nothing_new(world: World) -> None:
    user = shared_occupation(world)
    world.engine.consent.withdraw(user, SHARE, recipient=APP_A)
    log = world.sharing.transfers(user)
    deliveries = len(world.sink.deliveries)

    [notice] = correct_occupation(world, user)

    assert notice.reason is NotificationReason.CORRECTION
    assert [n.reason for n in world.sink.notified(APP_A)] == [
        NotificationReason.WITHDRAWAL,
        NotificationReason.CORRECTION,
    ]
    assert len(world.sink.deliveries) == deliveries
    assert world.sharing.transfers(user) == log  # no refused transfer logged either


def test_only_what_the_consent_still_covers_is_sent_again(world: World) -> None:
    user = shared_occupation(world)
    world.consent(user, APP_A, data=("phone",))  # narrowed: the occupation no longer goes to app A
    world.engine.profiles.set(
        user, "phone", "13900139000", purposes=["online-courses"], consent_event_id=None
    )
    world.engine.profiles.correct(user, "occupation", NEW)

    [to_a, to_b] = world.sharing.notify_correction(user, ["phone", "occupation"])

    assert (to_a.recipient, to_a.fields) == (APP_A, ("occupation", "phone"))
    assert (to_b.recipient, to_b.fields) == (APP_B, ("phone",))
    assert dict(world.sink.delivered_to(APP_A)[-1].data) == {"phone": "13900139000"}
    assert dict(world.sink.delivered_to(APP_B)[-1].data) == {"phone": "13900139000"}


def test_a_failed_correction_notice_is_sent_by_reconcile_and_the_new_value_follows_it(world: World) -> None:
    user = shared_occupation(world)
    deliveries = len(world.sink.deliveries)
    world.sink.fail_next(3)

    [failed] = correct_occupation(world, user)

    assert failed.status is NotificationStatus.FAILED and failed.error == "SinkUnavailable"
    assert len(world.sink.deliveries) == deliveries  # the value waits for its notice
    [sent] = world.sharing.reconcile()
    assert (sent.notification_id, sent.status, sent.fields) == (
        failed.notification_id,
        NotificationStatus.SENT,
        ("occupation",),
    )
    assert dict(world.sink.delivered_to(APP_A)[-1].data) == {"occupation": NEW}
    assert world.sharing.reconcile() == []


def test_a_correction_notice_leaves_the_transfers_for_a_later_withdrawal(world: World) -> None:
    user = shared_occupation(world)
    correct_occupation(world, user)

    world.engine.consent.withdraw(user, SHARE, recipient=APP_A)

    reasons = [n.reason for n in world.sink.notified(APP_A)]
    assert reasons == [NotificationReason.CORRECTION, NotificationReason.WITHDRAWAL]
    withdrawal = world.sharing.notifications(user)[-1]
    assert withdrawal.fields == ()
    assert {t.notification_id for t in world.sharing.transfers(user) if t.recipient == APP_A} == {
        withdrawal.notification_id
    }


def test_the_audit_log_keeps_field_names_but_no_value_and_no_recipient_pseudonym(world: World) -> None:
    user = shared_occupation(world)
    correct_occupation(world, user)

    records = world.audit_records()
    [notice] = [r for r in records if r["kind"] == "sharing.notice"]
    assert (notice["reason"], notice["fields"], notice["recipient"]) == ("correction", ["occupation"], APP_A)
    logged = json.dumps(world.audit_records(""), ensure_ascii=False, default=str)
    for value in (OLD, NEW, PHONE):
        assert value not in logged
    for recipient in (APP_A, APP_B):
        assert world.sharing.subject_ref(user, recipient) not in logged


def test_an_unknown_data_item_is_a_typed_error(world: World) -> None:
    user = shared_occupation(world)
    with pytest.raises(UnknownDataItem) as error:
        world.sharing.notify_correction(user, ["ocupation"])
    assert "occupation" in error.value.text.en
    assert world.sharing.notifications(user) == []
