"""Marketing messages that reach only people who asked for them, and address books that reach nobody.

A message goes to a subject only after the gate finds a live consent for the purpose the manifest
declares for the channel; it carries a one-use unsubscribe link that withdraws that consent at
once. An uploaded address book is kept as keyed hashes and serves its owner's own features: a
number found in it is never a way to reach its holder (the Wang Yu case: Civil Code 1033, PIPL 13
and 14). Each message is claimed (`sending`) in its own transaction before it is handed to the
sender, so an interrupted campaign resumes without sending anything twice.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.manifest.models import Manifest, PurposeKind
from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.messaging.addresses import (
    AddressHasher,
    normalise_address,
    normalise_contact,
    token_hash,
)
from consentgate.runtime.messaging.config import MessagingConfig
from consentgate.runtime.messaging.errors import (
    CampaignConflict,
    UnknownCampaign,
    UnknownChannel,
    UnknownUnsubscribeToken,
)
from consentgate.runtime.messaging.models import CampaignRow, MessageRow, UnsubscribeTokenRow
from consentgate.runtime.messaging.ports import (
    AddressDirectory,
    ChangeLog,
    ConsentWriter,
    DecisionGate,
    MessageSender,
    Verdict,
)
from consentgate.runtime.messaging.repository import MessagingRepository, utc
from consentgate.runtime.messaging.schemas import (
    FINAL,
    AddressBookReceipt,
    Campaign,
    CampaignReport,
    Delivery,
    Friend,
    MessageRecord,
    MessageStatus,
    MessagingReason,
    Unsubscribed,
)
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database
from consentgate.text import Text

S = MessageStatus
R = MessagingReason

# The address-book case: a number taken from someone else's contacts is not its holder's consent.
ADDRESS_BOOK_CITATIONS = ("CIVIL-1033", "PIPL-13", "PIPL-14")
# Channels a subject can register an own address on (what `normalise_address` understands).
ADDRESSABLE = ("sms", "email", "push")


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, so the link alone proves nothing but possession."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class _Job:
    """One message to one subject, from a campaign or addressed directly."""

    subject: str
    channel: str
    purpose: str
    text: Text
    campaign_id: str | None = None
    message_id: str | None = None  # an existing direct message (a deferred one being released)
    address_hash: str | None = None


class MessagingService:
    """Campaigns per channel, direct messages, unsubscribe links and address books for one tenant."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        audit: ChangeLog,
        manifest: Manifest,
        policy: Policy,
        ledger: ConsentWriter,
        gate: DecisionGate,
        sender: MessageSender,
        directory: AddressDirectory,
        config: MessagingConfig,
        tokens: Callable[[], str] = new_token,
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._audit = audit
        self._manifest = manifest
        self._ledger = ledger
        self._gate = gate
        self._sender = sender
        self._directory = directory
        self._config = config
        self._tokens = tokens
        self._hasher = AddressHasher(config.address_secret)
        self._purposes: dict[str, str] = {}
        for purpose in manifest.purposes:
            if purpose.kind is PurposeKind.MARKETING and purpose.channel is not None:
                self._purposes.setdefault(purpose.channel.value, purpose.id)
        self._data = {p: tuple(sorted(policy.purposes[p].data)) for p in self._purposes.values()}

    @property
    def channels(self) -> Mapping[str, str]:
        """Channel -> the marketing purpose that covers it."""
        return dict(self._purposes)

    # ------------------------------------------------------------------ campaigns

    def create_campaign(self, campaign_id: str, *, channel: str, text: Text) -> Campaign:
        """Declares a campaign; creating the same one again returns it, different content is refused."""
        purpose = self._purpose_for(channel)
        with self._db.transaction() as session:
            repo = MessagingRepository(session, tenant=self._tenant)
            existing = repo.campaign(campaign_id)
            if existing is not None:
                if existing.channel != channel or existing.text != text.model_dump():
                    raise CampaignConflict.from_key("messaging.campaign_conflict", campaign=campaign_id)
                return _campaign(existing)
            row = CampaignRow(
                campaign_id=campaign_id,
                channel=channel,
                purpose=purpose,
                text=text.model_dump(),
                created_at=self._clock.now(),
            )
            repo.add(row)
            self._audit.record_change(
                session,
                "messaging.campaign_created",
                {"campaign": campaign_id, "channel": channel, "purpose": purpose},
            )
            return _campaign(row)

    def campaign(self, campaign_id: str) -> Campaign:
        with self._db.reading() as session:
            row = MessagingRepository(session, tenant=self._tenant).campaign(campaign_id)
        if row is None:
            raise UnknownCampaign.from_key("messaging.unknown_campaign", campaign=campaign_id)
        return _campaign(row)

    def send_campaign(
        self, campaign_id: str, *, on_delivery: Callable[[Delivery], None] | None = None
    ) -> CampaignReport:
        """Offers the campaign to every subject, a page at a time; run it again to resume or retry.

        Subjects already messaged (or claimed by a run that died) are skipped; denials, caps,
        deferrals and failures are looked at afresh. `on_delivery` hears each subject's outcome.
        """
        campaign = self.campaign(campaign_id)
        statuses: Counter[MessageStatus] = Counter()
        denied: Counter[str] = Counter()
        considered = already = 0
        after: str | None = None
        while True:
            with self._db.reading() as session:
                repo = MessagingRepository(session, tenant=self._tenant)
                page = repo.subjects_after(after, self._config.batch_size)
                done = {
                    s for s, row in repo.campaign_messages(campaign_id, page).items() if row.status in FINAL
                }
            if not page:
                break
            after = page[-1]
            for subject in page:
                considered += 1
                if subject in done:
                    already += 1
                    continue
                job = _Job(
                    subject, campaign.channel, campaign.purpose, campaign.text, campaign_id=campaign_id
                )
                delivery = self._deliver(job)
                if delivery.reason == R.ALREADY_SENT:
                    already += 1
                else:
                    statuses[delivery.status] += 1
                    if delivery.status is S.DENIED:
                        denied[delivery.reason] += 1
                if on_delivery is not None:
                    on_delivery(delivery)
        return CampaignReport(campaign_id, considered, dict(statuses), dict(denied), already)

    def release_deferred(self) -> list[Delivery]:
        """Sends the messages quiet hours held back, once their time has come (each re-checked at the gate)."""
        now = self._clock.now()
        texts: dict[str, Text] = {}
        released: list[Delivery] = []
        while True:
            with self._db.reading() as session:
                due = MessagingRepository(session, tenant=self._tenant).due(now, self._config.batch_size)
            if not due:
                return released
            for row in due:
                if row.subject is None:
                    continue  # never deferred: an address that is nobody is denied outright
                if row.campaign_id is not None:
                    if row.campaign_id not in texts:
                        texts[row.campaign_id] = self.campaign(row.campaign_id).text
                    job = _Job(row.subject, row.channel, row.purpose, texts[row.campaign_id], row.campaign_id)
                else:
                    job = _Job(
                        row.subject,
                        row.channel,
                        row.purpose,
                        Text.model_validate(row.text),
                        message_id=row.message_id,
                        address_hash=row.address_hash,
                    )
                released.append(self._deliver(job))

    # ------------------------------------------------------------------ direct messages

    def send_to_address(
        self, address: str, *, channel: str, text: Text, sent_by: str | None = None
    ) -> Delivery:
        """Messages an address only if it is a subject's own address and that subject consented.

        Anything else — a number from someone's uploaded contacts, a subject without live consent —
        is denied, logged (by hash) with the address-book citations, and nothing is sent.
        """
        purpose = self._purpose_for(channel)
        address_hash = self._hasher.hash(normalise_address(channel, address))
        with self._db.reading() as session:
            subject = MessagingRepository(session, tenant=self._tenant).subject_at(channel, address_hash)
        decision = None if subject is None else self._gate.decide(subject, purpose, self._data[purpose])
        if subject is None or decision is None or not decision.allowed:
            return self._deny_address(channel, purpose, address_hash, subject, decision, sent_by)
        job = _Job(subject, channel, purpose, text, address_hash=address_hash)
        return self._deliver(job, decision)

    def _deny_address(
        self,
        channel: str,
        purpose: str,
        address_hash: str,
        subject: str | None,
        decision: Verdict | None,
        sent_by: str | None,
    ) -> Delivery:
        now = self._clock.now()
        message_id = self._ids.new_id()
        text = message("messaging.reason.address_not_consenting", channel=channel)
        with self._db.transaction() as session:
            row = MessageRow(
                message_id=message_id,
                campaign_id=None,
                subject=subject,
                channel=channel,
                purpose=purpose,
                status=S.DENIED.value,
                reason=R.ADDRESS_NOT_CONSENTING.value,
                address_hash=address_hash,
                token_hash=None,
                text=None,  # the text of a message that must not be sent is not kept either
                consent_event_id=None,
                receipt=None,
                error=None,
                not_before=None,
                dispatched_at=None,
                created_at=now,
                updated_at=now,
            )
            MessagingRepository(session, tenant=self._tenant).add(row)
            self._audit.record_change(
                session,
                "messaging.denied",
                {
                    "message_id": message_id,
                    "channel": channel,
                    "purpose": purpose,
                    "address_hash": address_hash,
                    "subject": subject,
                    "sent_by": sent_by,
                    "reason": R.ADDRESS_NOT_CONSENTING.value,
                    "gate_reason": None if decision is None else str(decision.reason_code),
                    "citations": list(ADDRESS_BOOK_CITATIONS),
                },
            )
        return Delivery(
            subject, channel, S.DENIED, R.ADDRESS_NOT_CONSENTING, text, ADDRESS_BOOK_CITATIONS, message_id
        )

    # ------------------------------------------------------------------ unsubscribe

    def unsubscribe(self, token: str) -> Unsubscribed:
        """Withdraws the consent the message rested on, at once; a replayed token changes nothing."""
        with self._db.transaction() as session:
            row = MessagingRepository(session, tenant=self._tenant).token(token_hash(token))
            if row is None:
                raise UnknownUnsubscribeToken.from_key("messaging.unknown_token")
            if row.used_at is None:
                [event] = self._ledger.record_many_in(
                    session,
                    [
                        NewConsentEvent(
                            subject=row.subject,
                            purpose=row.purpose,
                            kind=EventKind.WITHDRAWN,
                            mechanism=Mechanism.SETTINGS,
                            channel=row.channel,
                            evidence=Evidence(screen_id="unsubscribe-link"),
                        )
                    ],
                )
                row.used_at = self._clock.now()
                row.event_id = event.event_id
                self._audit.record_change(
                    session,
                    "messaging.unsubscribed",
                    {
                        "subject": row.subject,
                        "purpose": row.purpose,
                        "channel": row.channel,
                        "message_id": row.message_id,
                        "event_id": event.event_id,
                    },
                )
            return Unsubscribed(row.subject, row.purpose, row.channel, row.event_id, utc(row.used_at))

    # ------------------------------------------------------------------ addresses and address books

    def register_address(self, subject: str, channel: str, address: str) -> None:
        """Records (as a keyed hash) that `address` is the subject's own: how an address finds its person."""
        if channel not in ADDRESSABLE:
            raise UnknownChannel.from_key(
                "messaging.unaddressable_channel",
                channel=channel,
                hint=hint(channel, ADDRESSABLE),
                known=", ".join(ADDRESSABLE),
            )
        address_hash = self._hasher.hash(normalise_address(channel, address))
        self._require_subject(subject)
        with self._db.transaction() as session:
            MessagingRepository(session, tenant=self._tenant).set_subject_address(
                subject, channel, address_hash, self._clock.now()
            )
            self._audit.record_change(
                session, "messaging.address_registered", {"subject": subject, "channel": channel}
            )

    def upload_address_book(self, owner_subject: str, contacts: Iterable[str]) -> AddressBookReceipt:
        """Keeps the owner's contacts as keyed hashes, for the owner's own features; raw entries are dropped."""
        self._require_subject(owner_subject)
        hashes: set[str] = set()
        unreadable = 0
        for contact in contacts:
            normalised = normalise_contact(contact)
            if normalised is None:
                unreadable += 1
            else:
                hashes.add(self._hasher.hash(normalised))
        with self._db.transaction() as session:
            stored = MessagingRepository(session, tenant=self._tenant).replace_address_book(
                owner_subject, sorted(hashes), self._clock.now()
            )
            self._audit.record_change(
                session,
                "messaging.address_book_uploaded",
                {"owner": owner_subject, "stored": stored, "unreadable": unreadable},
            )
        return AddressBookReceipt(owner_subject, stored, unreadable)

    def find_friends(self, owner_subject: str) -> list[Friend]:
        """Which of the owner's contacts already use the app (matched by hash), for the owner alone."""
        self._require_subject(owner_subject)
        with self._db.reading() as session:
            repo = MessagingRepository(session, tenant=self._tenant)
            matches = repo.friends(owner_subject)
            known = repo.known_subjects(sorted({subject for subject, _ in matches}))
        friends: dict[str, Friend] = {}
        for subject, channel in matches:
            if subject in known:
                friends.setdefault(subject, Friend(subject, channel))
        return list(friends.values())

    def messages(self, *, campaign_id: str | None = None, subject: str | None = None) -> list[MessageRecord]:
        """The message log (hashes and outcomes, never addresses or texts)."""
        with self._db.reading() as session:
            return MessagingRepository(session, tenant=self._tenant).records(
                campaign_id=campaign_id, subject=subject
            )

    # ------------------------------------------------------------------ one message

    def _deliver(self, job: _Job, decision: Verdict | None = None) -> Delivery:
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

    def _claim(self, job: _Job, decision: Verdict, now: datetime) -> tuple[str, str] | Delivery:
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
        job: _Job,
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

    def _existing(self, repo: MessagingRepository, job: _Job) -> MessageRow | None:
        if job.campaign_id is not None:
            return repo.campaign_messages(job.campaign_id, [job.subject]).get(job.subject)
        if job.message_id is not None:
            return repo.message(job.message_id, lock=True)
        return None

    def _upsert(
        self,
        session: Session,
        repo: MessagingRepository,
        job: _Job,
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

    # ------------------------------------------------------------------ helpers

    def _body(self, text: Text, token: str) -> str:
        """Both languages, each with the sender's name and the unsubscribe link."""
        link = self._config.unsubscribe_url.format(token=token)
        body = message("messaging.body", app=self._manifest.app.name, text=text, link=link)
        return f"{body.zh}\n{body.en}"

    def _purpose_for(self, channel: str) -> str:
        purpose = self._purposes.get(channel)
        if purpose is None:
            raise UnknownChannel.from_key(
                "messaging.unknown_channel",
                channel=channel,
                hint=hint(channel, self._purposes),
                known=", ".join(sorted(self._purposes)) or "—",
            )
        return purpose

    def _require_subject(self, subject: str) -> None:
        if not self._ledger.known_subject(subject):
            raise UnknownSubject.from_key("runtime.unknown_subject", subject=subject)


def _campaign(row: CampaignRow) -> Campaign:
    return Campaign(
        row.campaign_id, row.channel, row.purpose, Text.model_validate(row.text), utc(row.created_at)
    )


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
