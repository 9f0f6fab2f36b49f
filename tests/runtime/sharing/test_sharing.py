"""Sharing with affiliated apps: only with separate consent naming each, only the consented fields."""

from __future__ import annotations

import json

import pytest

from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose, UnknownRecipient, UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.ports import SequentialIds
from consentgate.runtime.sharing.errors import (
    DeliveryFailed,
    NothingRequested,
    NotRedeliverable,
    UnknownNotification,
    UnknownTransfer,
)
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import NotificationReason, NotificationStatus, TransferStatus
from tests.runtime.sharing.conftest import (
    APP_A,
    APP_B,
    ORDERS,
    PHONE,
    SHARE,
    World,
    start_engine,
)

ACCOUNT_AND_ORDERS = ["phone", "account-password", "orders"]


def _no_value_is_logged(world: World) -> None:
    """The transfer log and the audit log keep field names, never the values that left."""
    logged = json.dumps(world.audit_records(""), ensure_ascii=False, default=str)
    logged += json.dumps([t.__dict__ for t in world.sharing.transfers()], ensure_ascii=False, default=str)
    for value in (PHONE, ORDERS[0]["order"], ORDERS[0]["course"], "hash$secret"):
        assert value not in logged


def test_seed_case_account_and_order_data_never_reach_the_affiliated_apps(world: World) -> None:
    """The court's facts: account and order data shared with two affiliated apps without consent."""
    user = world.user()
    # A consent box ticked in the onboarding flow is not the separate consent PIPL 23 asks for.
    world.consent(user, APP_A, mechanism=Mechanism.IN_FLOW)

    for app, cited in ((APP_A, "PIPL-23"), (APP_B, "PIPL-13.1")):
        result = world.sharing.transfer(user, SHARE, app, ACCOUNT_AND_ORDERS)
        assert result.status is TransferStatus.REFUSED
        assert result.sent == ()
        assert cited in result.citations and "PIPL-6" in result.citations
    # The defendant's own path: sharing the account under the courses themselves.
    under_courses = world.sharing.transfer(user, "online-courses", APP_A, ["phone", "orders"])
    assert under_courses.reason is ReasonCode.RECIPIENT_OUTSIDE_PURPOSE

    assert world.sink.deliveries == [] and world.sink.calls == 0
    log = world.sharing.transfers(user)
    assert [(t.recipient, t.status, t.reason) for t in log] == [
        (APP_A, TransferStatus.REFUSED, ReasonCode.DATA_OUTSIDE_PURPOSE.value),
        (APP_B, TransferStatus.REFUSED, ReasonCode.DATA_OUTSIDE_PURPOSE.value),
        (APP_A, TransferStatus.REFUSED, ReasonCode.RECIPIENT_OUTSIDE_PURPOSE.value),
    ]
    # Item by item: the phone and orders need separate consent, the password is outside the purpose.
    assert log[0].withheld == {
        "phone": ReasonCode.SHARING_NEEDS_SEPARATE_CONSENT.value,
        "account-password": ReasonCode.DATA_OUTSIDE_PURPOSE.value,
        "orders": ReasonCode.SHARING_NEEDS_SEPARATE_CONSENT.value,
    }
    assert log[1].withheld["phone"] == ReasonCode.NO_CONSENT.value
    refusals = [r for r in world.audit_records() if r["kind"] == "sharing.transfer"]
    assert [r["status"] for r in refusals] == ["refused"] * 3
    _no_value_is_logged(world)


def test_separate_consent_naming_app_a_reaches_a_and_never_b(world: World) -> None:
    user = world.user()
    event = world.consent(user, APP_A)

    to_a = world.sharing.transfer(user, SHARE, APP_A, ["phone", "orders"])
    to_b = world.sharing.transfer(user, SHARE, APP_B, ["phone", "orders"])

    assert to_a.delivered and to_a.reason is ReasonCode.SEPARATE_CONSENT and to_a.consent_event_id == event
    assert to_b.status is TransferStatus.REFUSED and to_b.reason is ReasonCode.NO_CONSENT
    assert world.sink.delivered_to(APP_B) == []
    [payload] = world.sink.delivered_to(APP_A)
    assert dict(payload.data) == {"phone": PHONE, "orders": ORDERS}
    assert payload.transfer_id == to_a.transfer_id and payload.purpose == SHARE
    assert payload.sender == world.engine.manifest.app.operator.name  # type: ignore[union-attr]
    statuses = [(r["kind"], r.get("status")) for r in world.audit_records()]
    assert ("sharing.delivery", "delivered") in statuses
    _no_value_is_logged(world)


def test_only_the_consented_fields_leave(world: World) -> None:
    user = world.user()
    world.consent(user, APP_A, data=("phone",))

    result = world.sharing.transfer(user, SHARE, APP_A, ACCOUNT_AND_ORDERS)

    assert result.delivered
    assert result.sent == ("phone",)
    assert dict(result.withheld) == {
        "account-password": ReasonCode.DATA_OUTSIDE_PURPOSE,
        "orders": ReasonCode.DATA_NOT_CONSENTED,
    }
    [payload] = world.sink.delivered_to(APP_A)
    assert set(payload.data) == {"phone"}
    [logged] = world.sharing.transfers(user)
    assert logged.requested == tuple(ACCOUNT_AND_ORDERS) and logged.fields == ("phone",)


def test_recipients_get_a_keyed_pseudonym_never_the_subject_id(world: World) -> None:
    user = world.user("13912345678")  # an app whose subject id is the phone number itself
    world.consent(user, APP_A)
    world.consent(user, APP_B)

    to_a = world.sharing.transfer(user, SHARE, APP_A, ["orders"])
    to_b = world.sharing.transfer(user, SHARE, APP_B, ["orders"])

    refs = {p.subject_ref for p in world.sink.delivered_to(APP_A) + world.sink.delivered_to(APP_B)}
    assert refs == {to_a.subject_ref, to_b.subject_ref} and len(refs) == 2  # unlinkable across recipients
    assert all(user not in ref for ref in refs)
    assert world.sharing.subject_ref(user, APP_A) == to_a.subject_ref  # the app can recompute it


def test_withdrawal_notifies_the_recipient_that_received_data(world: World) -> None:
    user = world.user()
    withdrawal_key = world.consent(user, APP_A)
    world.consent(user, APP_B)
    world.sharing.transfer(user, SHARE, APP_A, ["phone"])

    event = world.engine.consent.withdraw(user, SHARE)  # the whole purpose, every recipient

    [notice] = world.sink.notices
    assert (notice.recipient, notice.purpose, notice.reason) == (APP_A, SHARE, NotificationReason.WITHDRAWAL)
    assert notice.subject_ref == world.sharing.subject_ref(user, APP_A)
    [logged] = world.sharing.notifications(user)
    assert logged.status is NotificationStatus.SENT and logged.consent_event_id == event.event_id
    assert logged.consent_event_id != withdrawal_key
    assert [t.notification_id for t in world.sharing.transfers(user)] == [logged.notification_id]
    assert any(r["kind"] == "sharing.notice" for r in world.audit_records())
    # Told once: later changes of the same person do not repeat it; and nothing more leaves.
    world.engine.consent.withdraw(user, SHARE, recipient=APP_A)
    assert world.sharing.reconcile() == []
    assert len(world.sink.notices) == 1
    assert world.sharing.transfer(user, SHARE, APP_A, ["phone"]).reason is ReasonCode.WITHDRAWN


def test_a_new_transfer_after_consent_again_is_followed_by_a_new_notice(world: World) -> None:
    user = world.user()
    for _ in range(2):
        world.consent(user, APP_A)
        world.sharing.transfer(user, SHARE, APP_A, ["phone"])
        world.engine.consent.withdraw(user, SHARE, recipient=APP_A)
    assert len(world.sink.notified(APP_A)) == 2


def test_failing_sink_is_recorded_and_redelivered_not_dropped(world: World) -> None:
    user = world.user()
    world.consent(user, APP_A)
    world.sink.fail_next(3)

    with pytest.raises(DeliveryFailed) as failed:
        world.sharing.transfer(user, SHARE, APP_A, ["phone", "orders"])

    result = failed.value.result
    assert result is not None and result.status is TransferStatus.FAILED
    assert "SinkUnavailable" in failed.value.text.zh and "SinkUnavailable" in failed.value.text.en
    [logged] = world.sharing.transfers(user)
    assert (logged.status, logged.attempts, logged.error) == (TransferStatus.FAILED, 3, "SinkUnavailable")
    assert ("sharing.delivery", "failed") in [(r["kind"], r.get("status")) for r in world.audit_records()]

    again = world.sharing.redeliver(logged.transfer_id)
    assert again.delivered and again.transfer_id == logged.transfer_id
    [stored] = world.sharing.transfers(user)
    assert (stored.status, stored.attempts, stored.error) == (TransferStatus.DELIVERED, 4, None)
    with pytest.raises(NotRedeliverable):
        world.sharing.redeliver(logged.transfer_id)  # a second delivery would be a duplicate


def test_a_transient_failure_is_retried_within_the_call(world: World) -> None:
    user = world.user()
    world.consent(user, APP_A)
    world.sink.fail_next(1)
    result = world.sharing.transfer(user, SHARE, APP_A, ["phone"])
    assert result.delivered
    assert world.sharing.transfers(user)[0].attempts == 2


def test_redelivery_after_withdrawal_sends_nothing(world: World) -> None:
    user = world.user()
    world.consent(user, APP_A)
    world.sink.fail_next(3)
    with pytest.raises(DeliveryFailed) as failed:
        world.sharing.transfer(user, SHARE, APP_A, ["phone"])
    world.engine.consent.withdraw(user, SHARE)
    # The failed delivery may have arrived (a timeout hides success), so the recipient is told.
    assert [n.recipient for n in world.sink.notices] == [APP_A]

    assert failed.value.result is not None
    again = world.sharing.redeliver(failed.value.result.transfer_id)
    assert again.status is TransferStatus.REFUSED and again.reason is ReasonCode.WITHDRAWN
    assert world.sink.deliveries == []


def test_a_failed_notice_is_recorded_and_sent_by_reconcile(world: World) -> None:
    user = world.user()
    world.consent(user, APP_A)
    world.sharing.transfer(user, SHARE, APP_A, ["phone"])
    world.sink.fail_next(3)

    world.engine.consent.withdraw(user, SHARE)  # the withdrawal itself stands

    [failed] = world.sharing.notifications(user)
    assert failed.status is NotificationStatus.FAILED and failed.error == "SinkUnavailable"
    assert world.sink.notices == []
    [sent] = world.sharing.reconcile()
    assert sent.notification_id == failed.notification_id and sent.status is NotificationStatus.SENT
    assert [n.notification_id for n in world.sink.notices] == [failed.notification_id]


def test_reconcile_sends_a_withdrawal_the_listener_never_heard(database_url: str) -> None:
    """The process died between the ledger's commit and the notice: a later process still sends it."""
    sink = InMemorySink()
    first = start_engine(database_url, sink)
    try:
        world = World(first, first.sharing, sink)
        user = world.user()
        world.consent(user, APP_A)
        world.sharing.transfer(user, SHARE, APP_A, ["orders"])
    finally:
        first.close()
    host = start_engine(database_url)
    try:
        # A ledger no sharing service listens to: the withdrawal commits, no notice follows.
        unwatched = ConsentLedger(
            host.database,
            tenant=host.tenant,
            clock=host.clock,
            ids=SequentialIds("w"),
            audit=host.auditlog,
            notices=host.notices,
            policy=host.policy,
        )
        unwatched.withdraw(user, SHARE)
    finally:
        host.close()
    assert sink.notices == []

    later = start_engine(database_url, sink)
    try:
        [notice] = later.sharing.reconcile()
        assert (notice.recipient, notice.status) == (APP_A, NotificationStatus.SENT)
        assert [n.recipient for n in sink.notices] == [APP_A]
    finally:
        later.close()


def test_deletion_notifies_every_recipient_that_received_data(world: World) -> None:
    user, other = world.user("u1"), world.user("u2")
    for subject in (user, other):
        world.consent(subject, APP_A)
    world.consent(user, APP_B)
    world.sharing.transfer(user, SHARE, APP_A, ["phone"])
    world.sharing.transfer(user, SHARE, APP_B, ["orders"])
    world.sharing.transfer(other, SHARE, APP_A, ["phone"])

    notices = world.sharing.notify_deletion(user)

    assert sorted((n.recipient, n.reason) for n in notices) == [
        (APP_A, NotificationReason.DELETION),
        (APP_B, NotificationReason.DELETION),
    ]
    refs = {n.subject_ref for n in world.sink.notices}
    assert refs == {world.sharing.subject_ref(user, APP_A), world.sharing.subject_ref(user, APP_B)}
    assert world.sharing.notifications(other) == []


def test_allowed_items_of_which_nothing_is_held_send_nothing(world: World) -> None:
    world.engine.consent.register_subject("u3")
    world.consent("u3", APP_A)
    result = world.sharing.transfer("u3", SHARE, APP_A, ["orders"])
    assert result.status is TransferStatus.NOTHING_HELD and result.missing == ("orders",)
    assert "orders" in result.message.zh and "orders" in result.message.en
    assert world.sink.calls == 0


def test_bad_input_is_a_typed_bilingual_error_and_logs_nothing(world: World) -> None:
    user = world.user()
    with pytest.raises(UnknownRecipient) as recipient:
        world.sharing.transfer(user, SHARE, "affiliate-app-c", ["phone"])
    assert "affiliate-app-a" in recipient.value.text.en or "affiliate-app-b" in recipient.value.text.en
    assert recipient.value.text.zh != recipient.value.text.en
    with pytest.raises(UnknownPurpose) as purpose:
        world.sharing.transfer(user, "share-affiliate", APP_A, ["phone"])
    assert "share-affiliates" in purpose.value.text.zh
    with pytest.raises(UnknownDataItem):
        world.sharing.transfer(user, SHARE, APP_A, ["order"])
    with pytest.raises(UnknownSubject):
        world.sharing.transfer("nobody", SHARE, APP_A, ["phone"])
    with pytest.raises(NothingRequested):
        world.sharing.transfer(user, SHARE, APP_A, [])
    with pytest.raises(UnknownTransfer):
        world.sharing.redeliver("no-such-transfer")
    with pytest.raises(UnknownNotification):
        world.sharing.retry_notification("no-such-notice")
    assert world.sharing.transfers() == []
