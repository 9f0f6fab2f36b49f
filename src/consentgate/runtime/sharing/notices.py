"""Notices to recipients: a consent withdrawn, a person deleted, a value corrected.

Each notice goes out under the pseudonym the recipient received the data under (read from the
transfers it covers, never recomputed), so a recipient hears about the person it knows even after
the key has been rotated or the old version retired.

Withdrawal: the service listens to the ledger; when a subject's consent for a (purpose, recipient)
that received data ends, the recipient is told through the same sink (`notify_withdrawals`), with
the outbox steps of `transfers.py` in `recipient_notifications`. The listener runs in the writer's
thread after its commit; if the process dies first, or the sink fails, `reconcile()` finds what is
owed and sends it. `notify_deletions` tells every recipient that may hold the person's data.

Correction: `notify_correction(subject, data_ids)` tells every recipient that received a corrected
item that the value it holds is inaccurate, and then, where the gate still allows it, sends the
corrected value with an ordinary transfer (see the method for the law it rests on).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from consentgate.manifest.models import Manifest
from consentgate.manifest.references import hint
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.schemas import EventKind
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.errors import UnknownDataItem
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock
from consentgate.runtime.sharing.audit_payloads import notice_audit, notice_delivery_audit
from consentgate.runtime.sharing.errors import DeliveryFailed, UnknownNotification
from consentgate.runtime.sharing.models import RecipientNotificationRow
from consentgate.runtime.sharing.outbox import attempt
from consentgate.runtime.sharing.registry import RecipientRegistry
from consentgate.runtime.sharing.repository import SharingRepository, to_notification
from consentgate.runtime.sharing.schemas import NotificationReason, NotificationRecord, NotificationStatus
from consentgate.runtime.sharing.transfers import Transfers
from consentgate.store.database import Database

logger = logging.getLogger("consentgate.runtime.sharing")

# (recipient, purpose, the pseudonym the recipient knows the person by)
_Owed = tuple[str, str, str]


class RecipientNotices:
    """One tenant's notices to recipients, recorded before they are sent and retried until they are."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        audit: AuditLog,
        manifest: Manifest,
        policy: Policy,
        ledger: ConsentLedger,
        registry: RecipientRegistry,
        transfers: Transfers,
        max_attempts: int,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._audit = audit
        self._manifest = manifest
        self._policy = policy
        self._ledger = ledger
        self._registry = registry
        self._transfers = transfers
        self._max_attempts = max_attempts

    def on_facts_changed(self, subject: str) -> None:
        """Ledger listener. It must not fail the writer whose commit already stands: a problem is
        logged, and `reconcile()` sends what is still owed."""
        try:
            self.notify_withdrawals(subject)
        except Exception:
            logger.exception("sharing: withdrawal notices for %r not sent now; reconcile() will", subject)

    def notify_withdrawals(self, subject: str) -> list[NotificationRecord]:
        """Tells each recipient that got data of `subject` under a consent that has since ended."""
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).unnotified(subject)
        if not rows:
            return []
        facts = self._ledger.facts(subject)
        owed: dict[_Owed, tuple[list[str], str]] = {}
        for row in rows:
            key = (row.purpose, row.recipient if self._names_recipient(row.purpose) else None)
            fact = facts.get(key)
            if fact is None or fact.status is EventKind.GIVEN:
                continue  # still consented (or never rested on consent): nothing to withdraw
            pair = (row.recipient, row.purpose, row.subject_ref)
            owed.setdefault(pair, ([], fact.event_id))[0].append(row.transfer_id)
        return [
            record
            for owed_to, (transfers, event_id) in sorted(owed.items())
            if (record := self._notify(subject, owed_to, NotificationReason.WITHDRAWAL, transfers, event_id))
            is not None
        ]

    def notify_deletions(self, subjects: Sequence[str]) -> dict[str, list[NotificationRecord]]:
        """The people's data was deleted: tells every recipient that may hold some of it (PIPL 47),
        with one query for all of them (a batch erasure)."""
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).may_have_left(subjects)
        owed: dict[tuple[str, _Owed], list[str]] = {}
        for row in rows:
            owed.setdefault((row.subject, (row.recipient, row.purpose, row.subject_ref)), []).append(
                row.transfer_id
            )
        records: dict[str, list[NotificationRecord]] = {subject: [] for subject in subjects}
        for (subject, owed_to), transfers in sorted(owed.items()):
            record = self._notify(subject, owed_to, NotificationReason.DELETION, transfers, None, claim=False)
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
        informing recipients of one, so none is cited.) One notice per (recipient, purpose) that holds
        a delivered transfer naming a corrected item, with those items in `fields`; it is recorded,
        audited and retried by `reconcile()` like the other notices. Once it is sent, the corrected
        values follow if the gate lets them go to that recipient for that purpose now; if it does not
        (consent withdrawn or narrowed), the notice alone tells the recipient to stop using the old
        values — sending the new ones would be a transfer without consent. The values follow the
        notice, never come before it, so a recipient never discards a corrected value for a notice
        that arrives late.

        Only delivered transfers are covered: a pending or failed one reads the current values when
        `redeliver` sends it, so it already carries the correction.
        """
        corrected = frozenset([data_ids] if isinstance(data_ids, str) else data_ids)
        for data_id in corrected:
            self._check_data(data_id)
        with self._db.reading() as session:
            rows = SharingRepository(session, tenant=self._tenant).delivered(subject)
        owed: dict[_Owed, tuple[list[str], dict[str, None]]] = {}
        for row in rows:
            fields = [item for item in row.fields if item in corrected]
            if fields:
                transfers, held = owed.setdefault((row.recipient, row.purpose, row.subject_ref), ([], {}))
                transfers.append(row.transfer_id)
                held.update(dict.fromkeys(fields))
        records = []
        for owed_to, (transfers, held) in sorted(owed.items()):
            notice = self._notice_row(
                subject, owed_to, NotificationReason.CORRECTION, None, fields=sorted(held)
            )
            with self._db.transaction() as session:
                # The transfers stay unclaimed: a later withdrawal or deletion must still be told.
                SharingRepository(session, tenant=self._tenant).add_notification(notice)
                self._audit.record_change(session, "sharing.notice", notice_audit(notice, transfers))
            records.append(self._send_notice(notice))
        return records

    def reconcile(self, *, batch: int = 500) -> list[NotificationRecord]:
        """Sends what is owed and was not sent: pending or failed notices, and withdrawals the
        listener missed (the process died after the ledger's commit). Safe to run any time."""
        sent = [self.retry(n) for n in self._retryable(batch)]
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

    def retry(self, notification_id: str) -> NotificationRecord:
        """Sends a pending or failed notice again (a sent one is returned as it is)."""
        with self._db.reading() as session:
            row = SharingRepository(session, tenant=self._tenant).notification(notification_id)
        if row is None:
            raise UnknownNotification.from_key("runtime.unknown_notification", notification=notification_id)
        if row.status == NotificationStatus.SENT:
            return to_notification(row)
        return self._send_notice(row)

    def records(self, subject: str | None = None) -> list[NotificationRecord]:
        with self._db.reading() as session:
            repo = SharingRepository(session, tenant=self._tenant)
            return [to_notification(r) for r in repo.notifications(subject)]

    # ------------------------------------------------------------------ recording and sending

    def _notify(
        self,
        subject: str,
        owed_to: _Owed,
        reason: NotificationReason,
        transfers: list[str],
        consent_event_id: str | None,
        *,
        claim: bool = True,
    ) -> NotificationRecord | None:
        """Records the notice and marks the transfers it covers in one transaction, then sends it.

        With `claim`, a notice is written only if some transfer was still unclaimed: two processes
        hearing of the same withdrawal send it once."""
        row = self._notice_row(subject, owed_to, reason, consent_event_id)
        with self._db.transaction() as session:
            repo = SharingRepository(session, tenant=self._tenant)
            claimed = repo.mark_notified(transfers, row.notification_id)
            if claim and claimed == 0:
                return None
            repo.add_notification(row)
            self._audit.record_change(session, "sharing.notice", notice_audit(row, transfers))
        return self._send_notice(row)

    def _notice_row(
        self,
        subject: str,
        owed_to: _Owed,
        reason: NotificationReason,
        consent_event_id: str | None,
        *,
        fields: Iterable[str] = (),
    ) -> RecipientNotificationRow:
        recipient, purpose, ref = owed_to
        now = self._clock.now()
        return RecipientNotificationRow(
            notification_id=self._transfers.new_id(),
            subject=subject,
            subject_ref=ref,
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
        target = self._registry.get(row.recipient)
        sink = self._registry.sink(row.recipient)
        outcome = attempt(
            lambda: sink.notify_withdrawal(
                target,
                row.subject_ref,
                row.purpose,
                reason=NotificationReason(row.reason),
                notification_id=row.notification_id,
                fields=tuple(row.fields),
            ),
            max_attempts=self._max_attempts,
            what=f"notice {row.notification_id}",
        )
        with self._db.transaction() as session:
            stored = SharingRepository(session, tenant=self._tenant).notification(row.notification_id)
            if stored is None:
                raise UnknownNotification.from_key(
                    "runtime.unknown_notification", notification=row.notification_id
                )
            stored.attempts += outcome.attempts
            stored.receipt = outcome.receipt_reference
            stored.error = outcome.error
            sent = outcome.error is None
            stored.status = (NotificationStatus.SENT if sent else NotificationStatus.FAILED).value
            stored.updated_at = self._clock.now()
            self._audit.record_change(session, "sharing.notice_delivery", notice_delivery_audit(stored))
            return to_notification(stored)

    def _send_corrected(self, notice: NotificationRecord) -> None:
        """Sends the corrected values a correction notice announced, as far as the gate allows now.

        A delivery that fails is recorded as a failed transfer (`redeliver` retries it) and does not
        stop the notices to other recipients."""
        plan = self._transfers.plan(notice.subject, notice.purpose, notice.recipient, notice.fields)
        held = self._transfers.values(notice.subject, plan.allowed)
        fields = [item for item in plan.allowed if item in held]  # a dropped tag has no new value
        if not fields:
            return
        try:
            self._transfers.transfer(notice.subject, notice.purpose, notice.recipient, fields)
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

    def _check_data(self, data_id: str) -> None:
        known = self._manifest.data_by_id
        if data_id not in known:
            raise UnknownDataItem.from_key(
                "runtime.unknown_data", data=data_id, hint=hint(data_id, known), known=", ".join(known)
            )

    def _names_recipient(self, purpose: str) -> bool:
        """Whether consent for `purpose` is held per recipient (as the gate reads it)."""
        policy = self._policy.purposes.get(purpose)
        return policy is not None and policy.separate_for_recipients
