"""Transfers to third parties, each one only with the person's separate consent (PIPL 23).

A transfer names a subject, a purpose, a recipient from the registry and the data items asked for.
The gate decides per item, with the recipient named, so only the items the separate consent
covers leave; the rest are withheld with the gate's reason. Values come from the profile store and
travel only in the payload handed to the sink: the `transfers` table and the audit log keep ids,
field names, statuses and reason codes, never a value. A refusal is logged like a delivery.

Delivery is an outbox in two steps: the transfer is recorded as pending (with its audit record)
before the sink is called, and its outcome (delivered, or failed after `max_attempts`) after. A
crash in between leaves a pending row, and a failure a failed one; `redeliver` asks the gate again
and retries either. Nothing is dropped silently.

The recipient never learns the app's subject id but a keyed pseudonym (`pseudonym.py`). A recipient
keeps the pseudonym it first got for a person: later transfers reuse it, whatever key version is
current by then, so a rotation never splits one person in two at the recipient.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.manifest.references import hint
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.errors import UnknownPurpose
from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.keys.derive import VersionedKeys
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.runtime.profiles.service import ProfileStore
from consentgate.runtime.sharing.audit_payloads import delivery_audit, transfer_audit
from consentgate.runtime.sharing.errors import (
    DeliveryFailed,
    NothingRequested,
    NotRedeliverable,
    UnknownTransfer,
)
from consentgate.runtime.sharing.models import TransferRow
from consentgate.runtime.sharing.outbox import attempt
from consentgate.runtime.sharing.pseudonym import subject_ref
from consentgate.runtime.sharing.registry import RecipientRegistry
from consentgate.runtime.sharing.repository import SharingRepository, to_transfer
from consentgate.runtime.sharing.schemas import (
    Recipient,
    TransferPayload,
    TransferRecord,
    TransferResult,
    TransferStatus,
)
from consentgate.store.database import Database

_REDELIVERABLE = frozenset({TransferStatus.PENDING, TransferStatus.FAILED})


@dataclass(frozen=True)
class Plan:
    """What the gate lets leave of one request: the allowed fields, the withheld ones and why."""

    allowed: tuple[str, ...]
    withheld: Mapping[str, Any]  # field -> ReasonCode
    decision: Decision  # the decision the outcome rests on (an allowance if any field may leave)
    citations: tuple[str, ...]  # the law the outcome rests on; for a refusal, every item's reason


class Transfers:
    """One tenant's transfers: plan with the gate, record, deliver, redeliver."""

    def __init__(
        self,
        *,
        db: Database,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: AuditLog,
        policy: Policy,
        gate: Gate,
        profiles: ProfileStore,
        registry: RecipientRegistry,
        pseudonym_keys: VersionedKeys,
        sender: str,
        max_attempts: int,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._policy = policy
        self._gate = gate
        self._profiles = profiles
        self._registry = registry
        self._keys = pseudonym_keys
        self._sender = sender
        self._max_attempts = max_attempts
        self._ids_lock = threading.Lock()  # id factories (e.g. the test fakes) need not be thread-safe

    def transfer(self, subject: str, purpose: str, recipient: str, data: Iterable[str]) -> TransferResult:
        """Sends the consented part of `data` to `recipient`; everything else stays, and all is logged.

        Raises typed errors for an unknown purpose, recipient, data item or subject (nothing is
        logged: a typo is not a transfer), and `DeliveryFailed` when the sink fails every attempt
        (the transfer is then recorded as failed, and `redeliver` retries it).
        """
        self._check_purpose(purpose)
        target = self._registry.get(recipient)
        requested = tuple(dict.fromkeys([data] if isinstance(data, str) else data))
        if not requested:
            raise NothingRequested.from_key(
                "runtime.sharing_nothing_requested", recipient=recipient, purpose=purpose
            )
        plan = self.plan(subject, purpose, recipient, requested)
        values = self.values(subject, plan.allowed)
        ref, version = self.pseudonym(subject, recipient)
        row = TransferRow(
            transfer_id=self.new_id(),
            subject=subject,
            subject_ref=ref,
            key_version=version,
            recipient=recipient,
            purpose=purpose,
            requested=list(requested),
            attempts=0,
            created_at=self._clock.now(),
        )
        self._apply_plan(row, plan, values)
        with self._db.transaction() as session:
            SharingRepository(session, tenant=self._tenant).add_transfer(row)
            self._audit.record_change(session, "sharing.transfer", transfer_audit(row))
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
        target = self._registry.get(row.recipient)
        plan = self.plan(row.subject, row.purpose, row.recipient, tuple(row.fields))
        values = self.values(row.subject, plan.allowed)
        self._apply_plan(row, plan, values)
        with self._db.transaction() as session:
            self._save(session, row)
            self._audit.record_change(session, "sharing.transfer", transfer_audit(row))
        if row.status != TransferStatus.PENDING:
            return self._result(row, plan)
        return self._send(row, target, plan, values)

    def pseudonym(self, subject: str, recipient: str) -> tuple[str, str]:
        """(the reference `recipient` knows `subject` by, the key version it was made with): the one
        it already received if any, else a new one under the current key version."""
        with self._db.reading() as session:
            known = SharingRepository(session, tenant=self._tenant).pseudonym_of(subject, recipient)
        if known is not None:
            return known
        version = self._keys.current
        ref = subject_ref(self._keys.key(version), tenant=self._tenant, recipient=recipient, subject=subject)
        return ref, version

    def records(self, subject: str | None = None) -> list[TransferRecord]:
        with self._db.reading() as session:
            return [
                to_transfer(r) for r in SharingRepository(session, tenant=self._tenant).transfers(subject)
            ]

    def new_id(self) -> str:
        with self._ids_lock:
            return self._ids.new_id()

    # ------------------------------------------------------------------ deciding

    def plan(self, subject: str, purpose: str, recipient: str, requested: tuple[str, ...]) -> Plan:
        """The gate's answer for the whole request, else item by item: the consented items still leave."""
        whole = self._gate.decide(subject, purpose, tuple(sorted(requested)), recipient)
        if whole.allowed:
            return Plan(requested, MappingProxyType({}), whole, whole.citations)
        each = {item: self._gate.decide(subject, purpose, item, recipient) for item in requested}
        allowed = tuple(item for item in requested if each[item].allowed)
        withheld = {item: d.reason_code for item, d in each.items() if not d.allowed}
        if allowed:
            decision = each[allowed[0]]
            return Plan(allowed, MappingProxyType(withheld), decision, decision.citations)
        cited = (c for d in (whole, *each.values()) for c in d.citations)
        return Plan((), MappingProxyType(withheld), whole, tuple(dict.fromkeys(cited)))

    def values(self, subject: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The current values of the allowed items only.

        Not `ProfileStore.read(subject, purpose)`: that asks the gate without a recipient, which a
        sharing purpose always refuses, and keeps each value to the purpose it was collected for.
        The separate consent checked in `plan`, naming this recipient and these items, is what
        lets them serve this purpose too (PIPL 14, 23).
        """
        wanted = frozenset(allowed)
        return {a.data_id: a.value for a in self._profiles.attributes(subject) if a.data_id in wanted}

    def _apply_plan(self, row: TransferRow, plan: Plan, values: Mapping[str, Any]) -> None:
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
        self, row: TransferRow, target: Recipient, plan: Plan, values: Mapping[str, Any]
    ) -> TransferResult:
        payload = TransferPayload(
            transfer_id=row.transfer_id,
            sender=self._sender,
            subject_ref=row.subject_ref,
            purpose=row.purpose,
            data=MappingProxyType({item: values[item] for item in row.fields}),
            sent_at=self._clock.now(),
        )
        sink = self._registry.sink(target.id)
        outcome = attempt(
            lambda: sink.deliver(target, payload),
            max_attempts=self._max_attempts,
            what=f"transfer {row.transfer_id}",
        )
        row.attempts += outcome.attempts
        row.receipt = outcome.receipt_reference
        row.error = outcome.error
        row.status = (TransferStatus.DELIVERED if outcome.error is None else TransferStatus.FAILED).value
        row.updated_at = self._clock.now()
        with self._db.transaction() as session:
            self._save(session, row)
            self._audit.record_change(session, "sharing.delivery", delivery_audit(row))
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

    def _save(self, session: Session, row: TransferRow) -> None:
        stored = SharingRepository(session, tenant=self._tenant).transfer(row.transfer_id, lock=True)
        if stored is None:
            raise UnknownTransfer.from_key("runtime.unknown_transfer", transfer=row.transfer_id)
        for column in ("fields", "withheld", "missing", "status", "reason", "consent_event_id"):
            setattr(stored, column, getattr(row, column))
        for column in ("attempts", "receipt", "error", "updated_at"):
            setattr(stored, column, getattr(row, column))

    def _result(self, row: TransferRow, plan: Plan) -> TransferResult:
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

    def _check_purpose(self, purpose: str) -> None:
        known = self._policy.purposes
        if purpose not in known:
            raise UnknownPurpose.from_key(
                "runtime.unknown_purpose", purpose=purpose, hint=hint(purpose, known), known=", ".join(known)
            )
