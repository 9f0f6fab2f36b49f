"""One marketing message on its way: gate, quiet hours, address, frequency cap, claim, send, record.

Each message is claimed (`sending`) in its own transaction, under the subject's lock, before it is
handed to the sender, so an interrupted campaign resumes without sending anything twice: a crash
between the claim and the send leaves it unsent, never doubled.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.manifest.models import Manifest
from consentgate.runtime.messaging.addresses import token_hash
from consentgate.runtime.messaging.config import MessagingConfig
from consentgate.runtime.messaging.models import MessageRow, UnsubscribeTokenRow
from consentgate.runtime.messaging.ports import (
    AddressDirectory,
    ChangeLog,
    DecisionGate,
    MessageSender,
    Verdict,
)
from consentgate.runtime.messaging.repository import MessagingRepository
from consentgate.runtime.messaging.schemas import FINAL, Delivery, MessageStatus, MessagingReason
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database
from consentgate.text import Text

S = MessageStatus
R = MessagingReason


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, so the link alone proves nothing but possession."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Job:
    """One message to one subject, from a campaign or addressed directly."""

    subject: str
    channel: str
    purpose: str
    text: Text
    campaign_id: str | None = None
    message_id: str | None = None  # an existing direct message (a deferred one being released)
    address_hash: str | None = None


class Dispatcher:
    """Takes one job through every check to the sender and records each outcome; shared by campaigns,
    deferred releases and direct messages."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeLog,
        manifest: Manifest,
        gate: DecisionGate,
        sender: MessageSender,
        directory: AddressDirectory,
        config: MessagingConfig,
        data: dict[str, tuple[str, ...]],
        tokens: Callable[[], str] = new_token,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._manifest = manifest
        self._gate = gate
        self._sender = sender
        self._directory = directory
        self._config = config
        self._data = data  # purpose -> the data items the gate is asked about
        self._tokens = tokens

    def deliver(self, job: Job, decision: Verdict | None = None) -> Delivery:
        """Gate, quiet hours, address, cap, claim, send, record: in that order, for one subject."""
        if decision is None:
            decision = self._gate.decide(job.subject, job.purpose, self._data[job.purpose])
        if not decision.allowed:
            message_id = self._note(job, S.DENIED, str(decision.reason_code), create=False)
            return Delivery(
                job.subject,
                job.channel,
                S.DENIED,
                str(decision.reason_code),
                decision.message,
                decision.citations,
                message_id,
            )
        now = self._clock.now()
        quiet = self._config.quiet_hours
        if quiet is not None and quiet.contains(now):
            until = quiet.ends_after(now)
            message_id = self._note(job, S.DEFERRED, R.QUIET_HOURS, not_before=until)
            text = message("messaging.reason.quiet_hours", until=until.astimezone(quiet.tz).strftime("%H:%M"))
            return Delivery(job.subject, job.channel, S.DEFERRED, R.QUIET_HOURS, text, (), message_id, until)
        address = self._directory.address_of(job.subject, job.channel)
        if address is None:
            message_id = self._note(job, S.NO_ADDRESS, R.NO_ADDRESS)
            text = message("messaging.reason.no_address", channel=job.channel)
            return Delivery(job.subject, job.channel, S.NO_ADDRESS, R.NO_ADDRESS, text, (), message_id)
        claimed = self._claim(job, decision, now)
        if isinstance(claimed, Delivery):
            return claimed
        message_id, token = claimed
        try:
            receipt = self._sender.send(job.channel, address, self._body(job.text, token))
        except Exception as exc:  # any transport failure is recorded and retried, never dropped
            problem = f"{type(exc).__name__}: {exc}"[:500]
            self._finish(message_id, S.FAILED, R.SEND_FAILED, error=problem)
            text = message("messaging.reason.send_failed", problem=problem)
            return Delivery(job.subject, job.channel, S.FAILED, R.SEND_FAILED, text, (), message_id)
        self._finish(message_id, S.SENT, R.SENT, receipt=receipt.provider_id)
        text = message("messaging.reason.sent", channel=job.channel)
        return Delivery(
            job.subject,
            job.channel,
            S.SENT,
            R.SENT,
            text,
            decision.citations,
            message_id,
            receipt=receipt.provider_id,
        )

    def _claim(self, job: Job, decision: Verdict, now: datetime) -> tuple[str, str] | Delivery:
        """Marks the message `sending` (with its unsubscribe token) before it leaves, under the subject's lock."""
        with self._db.transaction() as session:
            repo = MessagingRepository(session, tenant=self._tenant)
            repo.lock_subject(job.subject)
            row = self._existing(repo, job)
            if row is not None and row.status in FINAL:
                text = message("messaging.reason.already_sent")
                return Delivery(
                    job.subject, job.channel, S(row.status), R.ALREADY_SENT, text, (), row.message_id
                )
            cap = self._config.frequency_cap
            if (
                cap is not None
                and repo.dispatched_since(job.subject, job.channel, now - cap.window) >= cap.max_messages
            ):
                row = self._upsert(session, repo, job, row, S.CAPPED, R.FREQUENCY_CAP)
                text = message(
                    "messaging.reason.frequency_cap",
                    channel=job.channel,
                    count=cap.max_messages,
                    days=round(cap.window.total_seconds() / 86400, 2),
                )
                return Delivery(job.subject, job.channel, S.CAPPED, R.FREQUENCY_CAP, text, (), row.message_id)
            token = self._tokens()
            hashed = token_hash(token)
            row = self._upsert(
                session,
                repo,
                job,
                row,
                S.SENDING,
                R.SENT,
                token_hash=hashed,
                dispatched_at=now,
                consent_event_id=decision.consent_event_id,
            )
            repo.add(
                UnsubscribeTokenRow(
                    token_hash=hashed,
                    message_id=row.message_id,
                    subject=job.subject,
                    purpose=job.purpose,
                    channel=job.channel,
                    created_at=now,
                    used_at=None,
                    event_id=None,
                )
            )
            return row.message_id, token

    def _finish(self, message_id: str, status: MessageStatus, reason: str, **fields: Any) -> None:
        with self._db.transaction() as session:
            row = MessagingRepository(session, tenant=self._tenant).message(message_id, lock=True)
            if row is None:  # pragma: no cover - claimed in this process a moment ago
                return
            row.status, row.reason, row.updated_at = status.value, reason, self._clock.now()
            for name, value in fields.items():
                setattr(row, name, value)
            if status is S.SENT:
                row.text = None  # a direct message's text was kept only until it could be sent
            self._audit.record_change(session, f"messaging.{status.value}", _audit_payload(row))

    def _note(
        self,
        job: Job,
        status: MessageStatus,
        reason: str,
        *,
        not_before: datetime | None = None,
        create: bool = True,
    ) -> str | None:
        """Records an outcome that sent nothing; a row already `sending`/`sent` is never overwritten."""
        with self._db.transaction() as session:
            repo = MessagingRepository(session, tenant=self._tenant)
            repo.lock_subject(job.subject)
            row = self._existing(repo, job)
            if row is not None and row.status in FINAL:
                return row.message_id
            if row is None and not create:
                return None
            return self._upsert(session, repo, job, row, status, reason, not_before=not_before).message_id

    def _existing(self, repo: MessagingRepository, job: Job) -> MessageRow | None:
        if job.campaign_id is not None:
            return repo.campaign_messages(job.campaign_id, [job.subject]).get(job.subject)
        if job.message_id is not None:
            return repo.message(job.message_id, lock=True)
        return None

    def _upsert(
        self,
        session: Session,
        repo: MessagingRepository,
        job: Job,
        row: MessageRow | None,
        status: MessageStatus,
        reason: str,
        **fields: Any,
    ) -> MessageRow:
        now = self._clock.now()
        if row is None:
            row = MessageRow(
                message_id=job.message_id or self._ids.new_id(),
                campaign_id=job.campaign_id,
                subject=job.subject,
                channel=job.channel,
                purpose=job.purpose,
                address_hash=job.address_hash,
                text=None if job.campaign_id is not None else job.text.model_dump(),
                token_hash=None,
                consent_event_id=None,
                receipt=None,
                error=None,
                not_before=None,
                dispatched_at=None,
                created_at=now,
                status=status.value,
                reason=reason,
                updated_at=now,
            )
            repo.add(row)
        row.status, row.reason, row.updated_at = status.value, reason, now
        for name, value in fields.items():
            setattr(row, name, value)
        session.flush()
        self._audit.record_change(session, f"messaging.{status.value}", _audit_payload(row))
        return row

    def _body(self, text: Text, token: str) -> str:
        """Both languages, each with the sender's name and the unsubscribe link."""
        link = self._config.unsubscribe_url.format(token=token)
        body = message("messaging.body", app=self._manifest.app.name, text=text, link=link)
        return f"{body.zh}\n{body.en}"


def _audit_payload(row: MessageRow) -> dict[str, Any]:
    """Ids and outcomes only: the audit log never holds an address or a message text."""
    return {
        "message_id": row.message_id,
        "campaign": row.campaign_id,
        "subject": row.subject,
        "channel": row.channel,
        "purpose": row.purpose,
        "status": row.status,
        "reason": row.reason,
        "consent_event_id": row.consent_event_id,
        "not_before": row.not_before.isoformat() if row.not_before is not None else None,
    }
