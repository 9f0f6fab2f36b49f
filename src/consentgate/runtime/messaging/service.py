"""Marketing messages that reach only people who asked for them, and address books that reach nobody.

A message goes to a subject only after the gate finds a live consent for the purpose the manifest
declares for the channel; it carries a one-use unsubscribe link that withdraws that consent at
once. An uploaded address book is kept as keyed hashes and serves its owner's own features: a
number found in it is never a way to reach its holder (the Wang Yu case: Civil Code 1033, PIPL 13
and 14). Each message is claimed (`sending`) in its own transaction before it is handed to the
sender, so an interrupted campaign resumes without sending anything twice.

This module holds the tenant-facing service: campaigns, direct messages and unsubscribing; one
message's path is `delivery.py`, addresses and address books are `address_book.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from consentgate.i18n import message
from consentgate.manifest.models import PurposeKind
from consentgate.manifest.references import hint
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.context import TenantContext
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.keys.derive import VersionedKeys
from consentgate.runtime.messaging.address_book import ADDRESSABLE, AddressBook
from consentgate.runtime.messaging.addresses import AddressHasher, token_hash
from consentgate.runtime.messaging.config import MessagingConfig
from consentgate.runtime.messaging.delivery import Dispatcher, Job, new_token
from consentgate.runtime.messaging.errors import (
    CampaignConflict,
    UnknownCampaign,
    UnknownChannel,
    UnknownUnsubscribeToken,
)
from consentgate.runtime.messaging.models import CampaignRow, MessageRow
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
from consentgate.text import Text

__all__ = ["ADDRESSABLE", "ADDRESS_BOOK_CITATIONS", "MessagingService", "new_token"]

S = MessageStatus
R = MessagingReason

# The address-book case: a number taken from someone else's contacts is not its holder's consent.
ADDRESS_BOOK_CITATIONS = ("CIVIL-1033", "PIPL-13", "PIPL-14")


class MessagingService:
    """Campaigns per channel, direct messages, unsubscribe links and address books for one tenant."""

    def __init__(
        self,
        ctx: TenantContext,
        *,
        ledger: ConsentWriter,
        gate: DecisionGate,
        sender: MessageSender,
        directory: AddressDirectory,
        config: MessagingConfig,
        address_keys: VersionedKeys,
        tokens: Callable[[], str] = new_token,
    ) -> None:
        self._db = ctx.db
        self._tenant = ctx.tenant
        self._clock = ctx.clock
        self._ids = ctx.ids
        self._audit: ChangeLog = ctx.audit
        self._manifest = ctx.manifest
        self._ledger = ledger
        self._gate = gate
        self._config = config
        self._purposes: dict[str, str] = {}
        for purpose in ctx.manifest.purposes:
            if purpose.kind is PurposeKind.MARKETING and purpose.channel is not None:
                self._purposes.setdefault(purpose.channel.value, purpose.id)
        self._data = {p: tuple(sorted(ctx.policy.purposes[p].data)) for p in self._purposes.values()}
        self._dispatch = Dispatcher(
            ctx.db,
            **ctx.scope,
            manifest=ctx.manifest,
            gate=gate,
            sender=sender,
            directory=directory,
            config=config,
            data=self._data,
            tokens=tokens,
        )
        self._book = AddressBook(
            ctx.db,
            tenant=ctx.tenant,
            clock=ctx.clock,
            audit=ctx.audit,
            hasher=AddressHasher(address_keys),
            require_subject=self._require_subject,
        )

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
                job = Job(subject, campaign.channel, campaign.purpose, campaign.text, campaign_id=campaign_id)
                delivery = self._dispatch.deliver(job)
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
                    job = Job(row.subject, row.channel, row.purpose, texts[row.campaign_id], row.campaign_id)
                else:
                    job = Job(
                        row.subject,
                        row.channel,
                        row.purpose,
                        Text.model_validate(row.text),
                        message_id=row.message_id,
                        address_hash=row.address_hash,
                    )
                released.append(self._dispatch.deliver(job))

    # ------------------------------------------------------------------ direct messages

    def send_to_address(
        self, address: str, *, channel: str, text: Text, sent_by: str | None = None
    ) -> Delivery:
        """Messages an address only if it is a subject's own address and that subject consented.

        Anything else — a number from someone's uploaded contacts, a subject without live consent —
        is denied, logged (by hash) with the address-book citations, and nothing is sent.
        """
        purpose = self._purpose_for(channel)
        address_hash, subject = self._book.subject_at(channel, address)
        decision = None if subject is None else self._gate.decide(subject, purpose, self._data[purpose])
        if subject is None or decision is None or not decision.allowed:
            return self._deny_address(channel, purpose, address_hash, subject, decision, sent_by)
        job = Job(subject, channel, purpose, text, address_hash=address_hash)
        return self._dispatch.deliver(job, decision)

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
        """Records (as keyed hashes) that `address` is the subject's own: how an address finds its person."""
        self._book.register_address(subject, channel, address)

    def upload_address_book(self, owner_subject: str, contacts: Iterable[str]) -> AddressBookReceipt:
        """Keeps the owner's contacts as keyed hashes, for the owner's own features; raw entries are dropped."""
        return self._book.upload(owner_subject, contacts)

    def find_friends(self, owner_subject: str) -> list[Friend]:
        """Which of the owner's contacts already use the app (matched by hash), for the owner alone."""
        return self._book.find_friends(owner_subject)

    def forget_retired_key_versions(self) -> dict[str, int]:
        """Deletes contact hashes made under versions the key ring no longer holds; rows per table."""
        return self._book.forget_retired_versions()

    def messages(self, *, campaign_id: str | None = None, subject: str | None = None) -> list[MessageRecord]:
        """The message log (hashes and outcomes, never addresses or texts)."""
        with self._db.reading() as session:
            return MessagingRepository(session, tenant=self._tenant).records(
                campaign_id=campaign_id, subject=subject
            )

    # ------------------------------------------------------------------ helpers

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
