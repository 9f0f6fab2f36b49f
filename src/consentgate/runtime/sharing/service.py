"""Transfers to third parties, each one only with the person's separate consent (PIPL 23).

A transfer names a subject, a purpose, a recipient from the registry and the data items asked for.
The gate decides per item, with the recipient named, so only the items the separate consent
covers leave; the rest are withheld with the gate's reason. Values come from the profile store and
travel only in the payload handed to the sink: the `transfers` table and the audit log keep ids,
field names, statuses and reason codes, never a value. A refusal is logged like a delivery.

The recipient never learns the app's subject id: it gets a keyed pseudonym, HMAC-SHA256 of the
tenant, recipient id and subject id under a per-tenant secret (see `pseudonym.py` for why each
part). Each recipient gets a different reference for the same person, so recipients cannot link
their data sets, and the app can recompute the reference to tell a recipient whom a withdrawal or
deletion concerns. The secret is passed in by the app or, by default, created once per tenant in
`sharing_secrets`.

Delivery is an outbox in two steps: the transfer is recorded as pending (with its audit record)
before the sink is called, and its outcome (delivered, or failed after `max_attempts`) after. A
crash in between leaves a pending row, and a failure a failed one; `redeliver` asks the gate again
and retries either. Nothing is dropped silently.

Withdrawal: the service listens to the ledger; when a subject's consent for a (purpose, recipient)
that received data ends, the recipient is told through the same sink (`notify_withdrawal`), with
the same outbox steps in `recipient_notifications`. The listener runs in the writer's thread after
its commit; if the process dies first, or the sink fails, `reconcile()` finds what is owed and
sends it. `notify_deletion(subject)` tells every recipient that may hold the person's data.

Correction: `notify_correction(subject, data_ids)` tells every recipient that received a corrected
item that the value it holds is inaccurate, and then, where the gate still allows it, sends the
corrected value with an ordinary transfer (see the method for the law it rests on).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import UnknownDataItem, UnknownPurpose
from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.runtime.sharing.errors import (
    DeliveryFailed,
    NothingRequested,
    NotRedeliverable,
    UnknownNotification,
    UnknownTransfer,
)
from consentgate.runtime.sharing.models import RecipientNotificationRow, TransferRow
from consentgate.runtime.sharing.ports import ThirdPartySink
from consentgate.runtime.sharing.pseudonym import subject_ref
from consentgate.runtime.sharing.registry import RecipientRegistry
from consentgate.runtime.sharing.repository import SharingRepository, to_notification, to_transfer
from consentgate.runtime.sharing.schemas import (
    NotificationReason,
    NotificationRecord,
    NotificationStatus,
    Receipt,
    Recipient,
    TransferPayload,
    TransferRecord,
    TransferResult,
    TransferStatus,
)
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

_REDELIVERABLE = frozenset({TransferStatus.PENDING, TransferStatus.FAILED})


@dataclass(frozen=True)
class _Plan:
    """What the gate lets leave of one request: the allowed fields, the withheld ones and why."""

    allowed: tuple[str, ...]
    withheld: Mapping[str, Any]  # field -> ReasonCode
    decision: Decision  # the decision the outcome rests on (an allowance if any field may leave)
    citations: tuple[str, ...]  # the law the outcome rests on; for a refusal, every item's reason


@dataclass(frozen=True)
class _Outcome:
    receipt: Receipt | None
    attempts: int
    error: str | None  # the exception's class name: its message may quote the payload


class SharingService:
    """One tenant's transfers to third parties and the notices that follow them."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: AuditLog,
        manifest: Manifest,
        policy: Policy,
        ledger: ConsentLedger,
        gate: Gate,
        profiles: ProfileStore,
        sink: ThirdPartySink,
        sinks: Mapping[str, ThirdPartySink] | None = None,
        secret: bytes | None = None,
        max_attempts: int = 3,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._manifest = manifest
        self._policy = policy
        self._ledger = ledger
        self._gate = gate
        self._profiles = profiles
        self._max_attempts = max_attempts
        self._secret = secret
        self._secret_lock = threading.Lock()
        self._ids_lock = threading.Lock()  # id factories (e.g. the test fakes) need not be thread-safe
        operator = manifest.app.operator
        self._sender = operator.name if operator is not None else manifest.app.name
        self.registry = RecipientRegistry(manifest, sink=sink, sinks=sinks)
        ledger.subscribe(self._on_facts_changed)

    # ------------------------------------------------------------------ transfers

    def transfer(self, subject: str, purpose: str, recipient: str, data: Iterable[str]) -> TransferResult:
        """Sends the consented part of `data` to `recipient`; everything else stays, and all is logged.

        Raises typed errors for an unknown purpose, recipient, data item or subject (nothing is
        logged: a typo is not a transfer), and `DeliveryFailed` when the sink fails every attempt
        (the transfer is then recorded as failed, and `redeliver` retries it).
        """
        self._check_purpose(purpose)
        target = self.registry.get(recipient)
        requested = tuple(dict.fromkeys([data] if isinstance(data, str) else data))
        if not requested:
            raise NothingRequested.from_key(
                "runtime.sharing_nothing_requested", recipient=recipient, purpose=purpose
            )
        plan = self._plan(subject, purpose, recipient, requested)
        values = self._values(subject, plan.allowed)
        row = TransferRow(
            transfer_id=self._new_id(),
            subject=subject,
            subject_ref=self.subject_ref(subject, recipient),
            recipient=recipient,
            purpose=purpose,
            requested=list(requested),
            attempts=0,
            created_at=self._clock.now(),
        )
        self._apply_plan(row, plan, values)
        with self._db.transaction() as session:
            SharingRepository(session, tenant=self._tenant).add_transfer(row)
            self._audit.record_change(session, "sharing.transfer", _transfer_audit(row))
        if row.status != TransferStatus.PENDING:
            return self._result(row, plan)
        return self._send(row, target, plan, values)

    def redeliver(self, transfer_id: str) -> TransferResult:
        """Retries a failed or pending transfer, asking the gate again: a consent withdrawn since
        turns it into a refusal, and a narrowed one sends only what is still consented."""
        with self._db.reading() as session:
            row = SharingRepository(session, tenant=self._tenant).transfer(transfer_id)
        if row is None:
            raise UnknownTransfer.from_key("runtime.unknown_transfer", transfer=transfer_id)
        if TransferStatus(row.status) not in _REDELIVERABLE:
            raise NotRedeliverable.from_key(
                "runtime.transfer_not_redeliverable", transfer=transfer_id, status=row.status
            )
        target = self.registry.get(row.recipient)
        plan = self._plan(row.subject, row.purpose, row.recipient, tuple(row.fields))
        values = self._values(row.subject, plan.allowed)
        self._apply_plan(row, plan, values)
        with self._db.transaction() as session:
            self._save(session, row)
            self._audit.record_change(session, "sharing.transfer", _transfer_audit(row))
        if row.status != TransferStatus.PENDING:
            return self._result(row, plan)
        return self._send(row, target, plan, values)

    def subject_ref(self, subject: str, recipient: str) -> str:
        """The pseudonym `recipient` knows `subject` by (see the module docstring)."""
        return subject_ref(self._secret_bytes(), tenant=self._tenant, recipient=recipient, subject=subject)

    def derive_key(self, label: str) -> bytes:
        """A key for another use (e.g. hashing address books), derived from the tenant's secret so that
        one secret per tenant is kept, and a leak of one derived key does not reveal the others."""
        return hmac.new(self._secret_bytes(), f"consentgate:{label}".encode(), hashlib.sha256).digest()

    def transfers(self, subject: str | None = None) -> list[TransferRecord]:
        """The transfer log (refusals included), of one subject or of the whole tenant."""
        with self._db.reading() as session:
            return [
                to_transfer(r) for r in SharingRepository(session, tenant=self._tenant).transfers(subject)
            ]

    # ------------------------------------------------------------------ notices to recipients

    def notify_withdrawals(self, subject: str) -> list[NotificationRecord]:
        """Tells each recipient that got data of `subject` under a consent that has since ended."""
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).unnotified(subject)
        if not rows:
            return []
        facts = self._ledger.facts(subject)
        owed: dict[tuple[str, str], tuple[list[str], str]] = {}
        for row in rows:
            key = (row.purpose, row.recipient if self._names_recipient(row.purpose) else None)
            fact = facts.get(key)
            if fact is None or fact.status is EventKind.GIVEN:
                continue  # still consented (or never rested on consent): nothing to withdraw
            owed.setdefault((row.recipient, row.purpose), ([], fact.event_id))[0].append(row.transfer_id)
        return [
            record
            for (recipient, purpose), (transfers, event_id) in sorted(owed.items())
            if (
                record := self._notify(
                    subject, recipient, purpose, NotificationReason.WITHDRAWAL, transfers, event_id
                )
            )
            is not None
        ]

    def notify_deletion(self, subject: str) -> list[NotificationRecord]:
        """The person's data was deleted: tells every recipient that may hold some of it (PIPL 47)."""
        return self.notify_deletions([subject])[subject]

    def notify_deletions(self, subjects: Sequence[str]) -> dict[str, list[NotificationRecord]]:
        """`notify_deletion` for many people, with one query for all of them (a batch erasure)."""
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).may_have_left(subjects)
        owed: dict[tuple[str, str, str], list[str]] = {}
        for row in rows:
            owed.setdefault((row.subject, row.recipient, row.purpose), []).append(row.transfer_id)
        records: dict[str, list[NotificationRecord]] = {subject: [] for subject in subjects}
        for (subject, recipient, purpose), transfers in sorted(owed.items()):
            record = self._notify(
                subject, recipient, purpose, NotificationReason.DELETION, transfers, None, claim=False
            )
            if record is not None:
                records[subject].append(record)
        return records

    def notify_correction(self, subject: str, data_ids: Iterable[str]) -> list[NotificationRecord]:
        """The person corrected `data_ids`: tells each recipient that received any of them, and then
        sends it the corrected values where the gate allows (`ProfileStore.correct` returns the items
        a correction changed, the tags it recomputed or dropped included, as `Correction.changed`).

        PIPL 46 (and Civil Code 1037) oblige the processor to correct inaccurate information in good
        time; we read that as reaching the copies it handed to recipients, which stay inaccurate until
        the recipient hears of it. (The law catalog holds no GB/T 35273 clause on correction or on
        informing recipients of one, so none is cited.) One notice per (recipient, purpose) that holds a delivered transfer
        naming a corrected item, with those items in `fields`; it is recorded, audited and retried
        by `reconcile()` like the other notices. Once it is sent, the corrected values follow if the
        gate lets them go to that recipient for that purpose now; if it does not (consent withdrawn
        or narrowed), the notice alone tells the recipient to stop using the old values — sending
        the new ones would be a transfer without consent. The values follow the notice, never come
        before it, so a recipient never discards a corrected value for a notice that arrives late.

        Only delivered transfers are covered: a pending or failed one reads the current values when
        `redeliver` sends it, so it already carries the correction.
        """
        corrected = frozenset([data_ids] if isinstance(data_ids, str) else data_ids)
        for data_id in corrected:
            self._check_data(data_id)
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).delivered(subject)
        owed: dict[tuple[str, str], tuple[list[str], dict[str, None]]] = {}
        for row in rows:
            fields = [item for item in row.fields if item in corrected]
            if fields:
                transfers, held = owed.setdefault((row.recipient, row.purpose), ([], {}))
                transfers.append(row.transfer_id)
                held.update(dict.fromkeys(fields))
        records = []
        for (recipient, purpose), (transfers, held) in sorted(owed.items()):
            notice = self._notice_row(
                subject, recipient, purpose, NotificationReason.CORRECTION, None, fields=sorted(held)
            )
            with self._db.transaction() as session:
                # The transfers stay unclaimed: a later withdrawal or deletion must still be told.
                SharingRepository(session, tenant=self._tenant).add_notification(notice)
                self._audit.record_change(session, "sharing.notice", _notice_audit(notice, transfers))
            records.append(self._send_notice(notice))
        return records

    def reconcile(self, *, batch: int = 500) -> list[NotificationRecord]:
        """Sends what is owed and was not sent: pending or failed notices, and withdrawals the
        listener missed (the process died after the ledger's commit). Safe to run any time."""
        sent = [self.retry_notification(n) for n in self._retryable(batch)]
        after = ""
        while True:
            with self._db.reading() as session:
                page = SharingRepository(session, tenant=self._tenant).subjects_unnotified(
                    after=after, limit=batch
                )
            for subject in page:
                sent.extend(self.notify_withdrawals(subject))
            if len(page) < batch:
                return sent
            after = page[-1]

    def retry_notification(self, notification_id: str) -> NotificationRecord:
        """Sends a pending or failed notice again (a sent one is returned as it is)."""
        with self._db.reading() as session:
            row = SharingRepository(session, tenant=self._tenant).notification(notification_id)
        if row is None:
            raise UnknownNotification.from_key("runtime.unknown_notification", notification=notification_id)
        if row.status == NotificationStatus.SENT:
            return to_notification(row)
        return self._send_notice(row)

    def notifications(self, subject: str | None = None) -> list[NotificationRecord]:
        with self._db.reading() as session:
            repo = SharingRepository(session, tenant=self._tenant)
            return [to_notification(r) for r in repo.notifications(subject)]

    # ------------------------------------------------------------------ deciding

    def _plan(self, subject: str, purpose: str, recipient: str, requested: tuple[str, ...]) -> _Plan:
        """The gate's answer for the whole request, else item by item: the consented items still leave."""
        whole = self._gate.decide(subject, purpose, tuple(sorted(requested)), recipient)
        if whole.allowed:
            return _Plan(requested, MappingProxyType({}), whole, whole.citations)
        each = {item: self._gate.decide(subject, purpose, item, recipient) for item in requested}
        allowed = tuple(item for item in requested if each[item].allowed)
        withheld = {item: d.reason_code for item, d in each.items() if not d.allowed}
        if allowed:
            decision = each[allowed[0]]
            return _Plan(allowed, MappingProxyType(withheld), decision, decision.citations)
        cited = (c for d in (whole, *each.values()) for c in d.citations)
        return _Plan((), MappingProxyType(withheld), whole, tuple(dict.fromkeys(cited)))

    def _values(self, subject: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The current values of the allowed items only.

        Not `ProfileStore.read(subject, purpose)`: that asks the gate without a recipient, which a
        sharing purpose always refuses, and keeps each value to the purpose it was collected for.
        The separate consent checked in `_plan`, naming this recipient and these items, is what
        lets them serve this purpose too (PIPL 14, 23).
        """
        wanted = frozenset(allowed)
        return {a.data_id: a.value for a in self._profiles.attributes(subject) if a.data_id in wanted}

    def _apply_plan(self, row: TransferRow, plan: _Plan, values: Mapping[str, Any]) -> None:
        row.fields = [item for item in plan.allowed if item in values]
        row.withheld = {item: str(code) for item, code in plan.withheld.items()}
        row.missing = [item for item in plan.allowed if item not in values]
        row.reason = plan.decision.reason_code.value
        row.consent_event_id = plan.decision.consent_event_id
        row.updated_at = self._clock.now()
        if not plan.allowed:
            row.status = TransferStatus.REFUSED.value
        elif not row.fields:
            row.status = TransferStatus.NOTHING_HELD.value
        else:
            row.status = TransferStatus.PENDING.value

    # ------------------------------------------------------------------ delivering

    def _send(
        self, row: TransferRow, target: Recipient, plan: _Plan, values: Mapping[str, Any]
    ) -> TransferResult:
        payload = TransferPayload(
            transfer_id=row.transfer_id,
            sender=self._sender,
            subject_ref=row.subject_ref,
            purpose=row.purpose,
            data=MappingProxyType({item: values[item] for item in row.fields}),
            sent_at=self._clock.now(),
        )
        sink = self.registry.sink(target.id)
        outcome = self._attempt(lambda: sink.deliver(target, payload), what=f"transfer {row.transfer_id}")
        row.attempts += outcome.attempts
        row.receipt = _short(outcome.receipt.reference) if outcome.receipt is not None else None
        row.error = outcome.error
        row.status = (TransferStatus.DELIVERED if outcome.error is None else TransferStatus.FAILED).value
        row.updated_at = self._clock.now()
        with self._db.transaction() as session:
            self._save(session, row)
            self._audit.record_change(session, "sharing.delivery", _delivery_audit(row))
        result = self._result(row, plan)
        if outcome.error is not None:
            failed = DeliveryFailed.from_key(
                "runtime.sharing_delivery_failed",
                transfer=row.transfer_id,
                recipient=row.recipient,
                attempts=outcome.attempts,
                error=outcome.error,
            )
            failed.result = result
            raise failed
        return result

    def _attempt(self, call: Callable[[], Receipt], *, what: str) -> _Outcome:
        """Calls the sink up to `max_attempts` times; any exception counts as a failed attempt."""
        error = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                return _Outcome(call(), attempt, None)
            except Exception as exc:  # a sink may fail any way; each is recorded, none escapes unlogged
                error = type(exc).__name__
                logger.warning("sharing: %s, attempt %d failed: %s", what, attempt, error)
        return _Outcome(None, self._max_attempts, error)

    def _save(self, session: Session, row: TransferRow) -> None:
        stored = SharingRepository(session, tenant=self._tenant).transfer(row.transfer_id, lock=True)
        if stored is None:
            raise UnknownTransfer.from_key("runtime.unknown_transfer", transfer=row.transfer_id)
        for column in ("fields", "withheld", "missing", "status", "reason", "consent_event_id"):
            setattr(stored, column, getattr(row, column))
        for column in ("attempts", "receipt", "error", "updated_at"):
            setattr(stored, column, getattr(row, column))

    def _result(self, row: TransferRow, plan: _Plan) -> TransferResult:
        decision = plan.decision
        text = decision.message
        if row.status == TransferStatus.NOTHING_HELD:
            text = message(
                "runtime.sharing_nothing_held", fields=", ".join(plan.allowed), recipient=row.recipient
            )
        return TransferResult(
            transfer_id=row.transfer_id,
            status=TransferStatus(row.status),
            recipient=row.recipient,
            purpose=row.purpose,
            subject_ref=row.subject_ref,
            sent=tuple(row.fields),
            withheld=plan.withheld,
            missing=tuple(row.missing),
            reason=decision.reason_code,
            message=text,
            citations=plan.citations,
            consent_event_id=decision.consent_event_id,
            receipt=row.receipt,
        )

    # ------------------------------------------------------------------ notifying

    def _on_facts_changed(self, subject: str) -> None:
        """Ledger listener. It must not fail the writer whose commit already stands: a problem is
        logged, and `reconcile()` sends what is still owed."""
        try:
            self.notify_withdrawals(subject)
        except Exception:
            logger.exception("sharing: withdrawal notices for %r not sent now; reconcile() will", subject)

    def _notify(
        self,
        subject: str,
        recipient: str,
        purpose: str,
        reason: NotificationReason,
        transfers: list[str],
        consent_event_id: str | None,
        *,
        claim: bool = True,
    ) -> NotificationRecord | None:
        """Records the notice and marks the transfers it covers in one transaction, then sends it.

        With `claim`, a notice is written only if some transfer was still unclaimed: two processes
        hearing of the same withdrawal send it once."""
        row = self._notice_row(subject, recipient, purpose, reason, consent_event_id)
        with self._db.transaction() as session:
            repo = SharingRepository(session, tenant=self._tenant)
            claimed = repo.mark_notified(transfers, row.notification_id)
            if claim and claimed == 0:
                return None
            repo.add_notification(row)
            self._audit.record_change(session, "sharing.notice", _notice_audit(row, transfers))
        return self._send_notice(row)

    def _notice_row(
        self,
        subject: str,
        recipient: str,
        purpose: str,
        reason: NotificationReason,
        consent_event_id: str | None,
        *,
        fields: Iterable[str] = (),
    ) -> RecipientNotificationRow:
        now = self._clock.now()
        return RecipientNotificationRow(
            notification_id=self._new_id(),
            subject=subject,
            subject_ref=self.subject_ref(subject, recipient),
            recipient=recipient,
            purpose=purpose,
            reason=reason.value,
            fields=list(fields),
            status=NotificationStatus.PENDING.value,
            consent_event_id=consent_event_id,
            attempts=0,
            created_at=now,
            updated_at=now,
        )

    def _send_notice(self, row: RecipientNotificationRow) -> NotificationRecord:
        """Sends a recorded notice and records the outcome; after a sent correction, the values follow."""
        record = self._deliver_notice(row)
        if record.reason is NotificationReason.CORRECTION and record.status is NotificationStatus.SENT:
            self._send_corrected(record)
        return record

    def _deliver_notice(self, row: RecipientNotificationRow) -> NotificationRecord:
        target = self.registry.get(row.recipient)
        sink = self.registry.sink(row.recipient)
        outcome = self._attempt(
            lambda: sink.notify_withdrawal(
                target,
                row.subject_ref,
                row.purpose,
                reason=NotificationReason(row.reason),
                notification_id=row.notification_id,
                fields=tuple(row.fields),
            ),
            what=f"notice {row.notification_id}",
        )
        with self._db.transaction() as session:
            stored = SharingRepository(session, tenant=self._tenant).notification(row.notification_id)
            if stored is None:
                raise UnknownNotification.from_key(
                    "runtime.unknown_notification", notification=row.notification_id
                )
            stored.attempts += outcome.attempts
            stored.receipt = _short(outcome.receipt.reference) if outcome.receipt is not None else None
            stored.error = outcome.error
            sent = outcome.error is None
            stored.status = (NotificationStatus.SENT if sent else NotificationStatus.FAILED).value
            stored.updated_at = self._clock.now()
            self._audit.record_change(session, "sharing.notice_delivery", _notice_delivery_audit(stored))
            return to_notification(stored)

    def _send_corrected(self, notice: NotificationRecord) -> None:
        """Sends the corrected values a correction notice announced, as far as the gate allows now.

        A delivery that fails is recorded as a failed transfer (`redeliver` retries it) and does not
        stop the notices to other recipients."""
        plan = self._plan(notice.subject, notice.purpose, notice.recipient, notice.fields)
        held = self._values(notice.subject, plan.allowed)
        fields = [item for item in plan.allowed if item in held]  # a dropped tag has no new value
        if not fields:
            return
        try:
            self.transfer(notice.subject, notice.purpose, notice.recipient, fields)
        except DeliveryFailed as failed:
            transfer = failed.result.transfer_id if failed.result is not None else "?"
            logger.warning(
                "sharing: corrected values after notice %s not delivered (transfer %s); redeliver() retries",
                notice.notification_id,
                transfer,
            )

    def _retryable(self, limit: int) -> list[str]:
        with self._db.reading() as session:
            return SharingRepository(session, tenant=self._tenant).retryable_notifications(limit)

    # ------------------------------------------------------------------ helpers

    def _check_data(self, data_id: str) -> None:
        known = self._manifest.data_by_id
        if data_id not in known:
            raise UnknownDataItem.from_key(
                "runtime.unknown_data", data=data_id, hint=hint(data_id, known), known=", ".join(known)
            )

    def _check_purpose(self, purpose: str) -> None:
        known = self._policy.purposes
        if purpose not in known:
            raise UnknownPurpose.from_key(
                "runtime.unknown_purpose", purpose=purpose, hint=hint(purpose, known), known=", ".join(known)
            )

    def _names_recipient(self, purpose: str) -> bool:
        """Whether consent for `purpose` is held per recipient (as the gate reads it)."""
        policy = self._policy.purposes.get(purpose)
        return policy is not None and policy.separate_for_recipients

    def _new_id(self) -> str:
        with self._ids_lock:
            return self._ids.new_id()

    def _secret_bytes(self) -> bytes:
        if self._secret is None:
            with self._secret_lock:
                if self._secret is None:
                    self._secret = self._load_secret()
        return self._secret

    def _load_secret(self) -> bytes:
        """The tenant's pseudonym key, created on first use; every process of the tenant shares it."""
        with self._db.transaction() as session:
            repo = SharingRepository(session, tenant=self._tenant)
            stored = repo.secret()
            if stored is None:
                repo.add_secret_if_missing(secrets.token_hex(32), self._clock.now())
                stored = repo.secret()
                # The key itself never enters the log; only that one now exists.
                self._audit.record_change(session, "sharing.secret_created", {"tenant": self._tenant})
        assert stored is not None
        return bytes.fromhex(stored)


def _short(text: str) -> str:
    return text[:200]


# No recipient pseudonym (`subject_ref`) in audit payloads: it is an HMAC that anyone holding the
# tenant secret recomputes from a subject id, so in the append-only log it would re-link a deleted
# person's records. The audit log itself replaces `subject` with the person's erasable ref.


def _transfer_audit(row: TransferRow) -> dict[str, Any]:
    return {
        "transfer_id": row.transfer_id,
        "subject": row.subject,
        "recipient": row.recipient,
        "purpose": row.purpose,
        "requested": list(row.requested),
        "fields": list(row.fields),
        "withheld": dict(row.withheld),
        "missing": list(row.missing),
        "status": row.status,
        "reason": row.reason,
        "consent_event_id": row.consent_event_id,
    }


def _delivery_audit(row: TransferRow) -> dict[str, Any]:
    return {
        "transfer_id": row.transfer_id,
        "recipient": row.recipient,
        "status": row.status,
        "fields": list(row.fields),
        "attempts": row.attempts,
        "receipt": row.receipt,
        "error": row.error,
    }


def _notice_audit(row: RecipientNotificationRow, transfers: list[str]) -> dict[str, Any]:
    return {
        "notification_id": row.notification_id,
        "subject": row.subject,
        "recipient": row.recipient,
        "purpose": row.purpose,
        "reason": row.reason,
        "fields": list(row.fields),
        "transfers": sorted(transfers),
        "consent_event_id": row.consent_event_id,
    }


def _notice_delivery_audit(row: RecipientNotificationRow) -> dict[str, Any]:
    return {
        "notification_id": row.notification_id,
        "recipient": row.recipient,
        "status": row.status,
        "attempts": row.attempts,
        "receipt": row.receipt,
        "error": row.error,
    }
