"""Transfers to third parties and the notices that follow them, for one tenant (PIPL 23, 15, 46, 47).

The service is a facade over two parts, each its own module:

- `transfers.py` — a transfer leaves only with the person's separate consent naming the recipient,
  and only the consented fields; recorded before and after the sink is called (an outbox);
- `notices.py` — withdrawal, deletion and correction notices to every recipient that received data,
  recorded, sent and retried by `reconcile()`.

The recipient never learns the app's subject id: it gets a keyed pseudonym, HMAC-SHA256 of the
tenant, recipient id and subject id (see `pseudonym.py` for why each part) under the tenant's
pseudonym key. That key comes from the key provider, outside the database (docs/keys.md), so a dump
of the database alone cannot recompute or reverse a pseudonym. Each recipient gets a different
reference for the same person, and keeps the one it first received across key rotations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.context import TenantContext
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.keys.derive import VersionedKeys
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.runtime.sharing.notices import RecipientNotices
from consentgate.runtime.sharing.ports import ThirdPartySink
from consentgate.runtime.sharing.registry import RecipientRegistry
from consentgate.runtime.sharing.schemas import NotificationRecord, TransferRecord, TransferResult
from consentgate.runtime.sharing.transfers import Transfers
from consentgate.store.database import Database


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
        pseudonym_keys: VersionedKeys,
        sinks: Mapping[str, ThirdPartySink] | None = None,
        max_attempts: int = 3,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        operator = manifest.app.operator
        self.registry = RecipientRegistry(manifest, sink=sink, sinks=sinks)
        self._transfers = Transfers(
            db=db,
            tenant=tenant,
            clock=clock,
            ids=ids,
            audit=audit,
            policy=policy,
            gate=gate,
            profiles=profiles,
            registry=self.registry,
            pseudonym_keys=pseudonym_keys,
            sender=operator.name if operator is not None else manifest.app.name,
            max_attempts=max_attempts,
        )
        self._notices = RecipientNotices(
            db=db,
            tenant=tenant,
            clock=clock,
            audit=audit,
            manifest=manifest,
            policy=policy,
            ledger=ledger,
            registry=self.registry,
            transfers=self._transfers,
            max_attempts=max_attempts,
        )
        ledger.subscribe(self._notices.on_facts_changed)

    @classmethod
    def of(
        cls,
        ctx: TenantContext,
        *,
        ledger: ConsentLedger,
        gate: Gate,
        profiles: ProfileStore,
        sink: ThirdPartySink,
        pseudonym_keys: VersionedKeys,
    ) -> SharingService:
        return cls(
            db=ctx.db,
            **ctx.scope,
            manifest=ctx.manifest,
            policy=ctx.policy,
            ledger=ledger,
            gate=gate,
            profiles=profiles,
            sink=sink,
            pseudonym_keys=pseudonym_keys,
        )

    # ------------------------------------------------------------------ transfers

    def transfer(self, subject: str, purpose: str, recipient: str, data: Iterable[str]) -> TransferResult:
        """Sends the consented part of `data` to `recipient`; everything else stays, and all is logged.

        Raises typed errors for an unknown purpose, recipient, data item or subject (nothing is
        logged: a typo is not a transfer), and `DeliveryFailed` when the sink fails every attempt
        (the transfer is then recorded as failed, and `redeliver` retries it).
        """
        return self._transfers.transfer(subject, purpose, recipient, data)

    def redeliver(self, transfer_id: str) -> TransferResult:
        """Retries a failed or pending transfer, asking the gate again."""
        return self._transfers.redeliver(transfer_id)

    def subject_ref(self, subject: str, recipient: str) -> str:
        """The pseudonym `recipient` knows `subject` by: the one it received, else the current key's."""
        return self._transfers.pseudonym(subject, recipient)[0]

    def transfers(self, subject: str | None = None) -> list[TransferRecord]:
        """The transfer log (refusals included), of one subject or of the whole tenant."""
        return self._transfers.records(subject)

    # ------------------------------------------------------------------ notices to recipients

    def notify_withdrawals(self, subject: str) -> list[NotificationRecord]:
        """Tells each recipient that got data of `subject` under a consent that has since ended."""
        return self._notices.notify_withdrawals(subject)

    def notify_deletion(self, subject: str) -> list[NotificationRecord]:
        """The person's data was deleted: tells every recipient that may hold some of it (PIPL 47)."""
        return self._notices.notify_deletions([subject])[subject]

    def notify_deletions(self, subjects: Sequence[str]) -> dict[str, list[NotificationRecord]]:
        """`notify_deletion` for many people, with one query for all of them (a batch erasure)."""
        return self._notices.notify_deletions(subjects)

    def notify_correction(self, subject: str, data_ids: Iterable[str]) -> list[NotificationRecord]:
        """The person corrected `data_ids`: tells each recipient that received any of them, then sends
        the corrected values where the gate allows (see `RecipientNotices.notify_correction`)."""
        return self._notices.notify_correction(subject, data_ids)

    def reconcile(self, *, batch: int = 500) -> list[NotificationRecord]:
        """Sends what is owed and was not sent: pending or failed notices, and withdrawals the
        listener missed (the process died after the ledger's commit). Safe to run any time."""
        return self._notices.reconcile(batch=batch)

    def retry_notification(self, notification_id: str) -> NotificationRecord:
        """Sends a pending or failed notice again (a sent one is returned as it is)."""
        return self._notices.retry(notification_id)

    def notifications(self, subject: str | None = None) -> list[NotificationRecord]:
        return self._notices.records(subject)
