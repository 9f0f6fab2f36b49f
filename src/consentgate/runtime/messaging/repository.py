"""All messaging queries; every one filtered by tenant."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.orm import Session

from consentgate.runtime.consent.models import SubjectRow
from consentgate.runtime.messaging.models import (
    AddressBookEntryRow,
    CampaignRow,
    MessageRow,
    SubjectAddressRow,
    UnsubscribeTokenRow,
)
from consentgate.runtime.messaging.schemas import FINAL, MessageRecord, MessageStatus

_CHUNK = 500
_DISPATCHED = [status.value for status in FINAL]


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes even for timezone-aware columns; everything stored is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class MessagingRepository:
    def __init__(self, session: Session, *, tenant: str) -> None:
        self._session = session
        self._tenant = tenant

    # ------------------------------------------------------------------ campaigns

    def campaign(self, campaign_id: str) -> CampaignRow | None:
        return self._session.get(CampaignRow, (self._tenant, campaign_id))

    def add(self, row: CampaignRow | MessageRow | UnsubscribeTokenRow) -> None:
        row.tenant_id = self._tenant
        self._session.add(row)
        self._session.flush()

    def subjects_after(self, after: str | None, limit: int) -> list[str]:
        """One page of the tenant's subjects in key order: a campaign never holds them all."""
        query = select(SubjectRow.subject).where(SubjectRow.tenant_id == self._tenant)
        if after is not None:
            query = query.where(SubjectRow.subject > after)
        return list(self._session.scalars(query.order_by(SubjectRow.subject).limit(limit)))

    # ------------------------------------------------------------------ messages

    def campaign_messages(self, campaign_id: str, subjects: Sequence[str]) -> dict[str, MessageRow]:
        found: dict[str, MessageRow] = {}
        for start in range(0, len(subjects), _CHUNK):
            rows = self._session.scalars(
                select(MessageRow).where(
                    MessageRow.tenant_id == self._tenant,
                    MessageRow.campaign_id == campaign_id,
                    MessageRow.subject.in_(list(subjects[start : start + _CHUNK])),
                )
            )
            found.update({row.subject: row for row in rows if row.subject is not None})
        return found

    def message(self, message_id: str, *, lock: bool = False) -> MessageRow | None:
        query = select(MessageRow).where(
            MessageRow.tenant_id == self._tenant, MessageRow.message_id == message_id
        )
        if lock:
            query = query.with_for_update()
        return self._session.scalars(query).one_or_none()

    def lock_subject(self, subject: str) -> None:
        """Serialises the cap check and the claim per subject (SQLite's BEGIN IMMEDIATE already does)."""
        if self._session.get_bind().dialect.name == "postgresql":
            key = f"messaging:{self._tenant}:{subject}"
            self._session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})

    def dispatched_since(self, subject: str, channel: str, since: datetime) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(
                    MessageRow.tenant_id == self._tenant,
                    MessageRow.subject == subject,
                    MessageRow.channel == channel,
                    MessageRow.dispatched_at >= since,
                    MessageRow.status.in_(_DISPATCHED),
                )
            )
            or 0
        )

    def due(self, now: datetime, limit: int) -> list[MessageRow]:
        return list(
            self._session.scalars(
                select(MessageRow)
                .where(
                    MessageRow.tenant_id == self._tenant,
                    MessageRow.status == MessageStatus.DEFERRED.value,
                    MessageRow.not_before <= now,
                )
                .order_by(MessageRow.not_before, MessageRow.message_id)
                .limit(limit)
            )
        )

    def records(self, *, campaign_id: str | None, subject: str | None) -> list[MessageRecord]:
        query = select(MessageRow).where(MessageRow.tenant_id == self._tenant)
        if campaign_id is not None:
            query = query.where(MessageRow.campaign_id == campaign_id)
        if subject is not None:
            query = query.where(MessageRow.subject == subject)
        return [to_record(row) for row in self._session.scalars(query.order_by(MessageRow.message_id))]

    # ------------------------------------------------------------------ unsubscribe tokens

    def token(self, token_hash: str) -> UnsubscribeTokenRow | None:
        return self._session.scalars(
            select(UnsubscribeTokenRow)
            .where(
                UnsubscribeTokenRow.tenant_id == self._tenant, UnsubscribeTokenRow.token_hash == token_hash
            )
            .with_for_update()
        ).one_or_none()

    # ------------------------------------------------------------------ addresses and address books

    def set_subject_address(
        self, subject: str, channel: str, hashes: Mapping[str, str], at: datetime
    ) -> None:
        """The subject's address on `channel`, one row per key version (`hashes`: version -> hash)."""
        self._session.execute(
            delete(SubjectAddressRow).where(
                SubjectAddressRow.tenant_id == self._tenant,
                SubjectAddressRow.subject == subject,
                SubjectAddressRow.channel == channel,
            )
        )
        self._session.add_all(
            SubjectAddressRow(
                tenant_id=self._tenant,
                subject=subject,
                channel=channel,
                key_version=version,
                address_hash=address_hash,
                registered_at=at,
            )
            for version, address_hash in hashes.items()
        )

    def subject_at(self, channel: str, hashes: Mapping[str, str]) -> str | None:
        """The subject whose own address on `channel` has one of these hashes (version -> hash),
        the latest to register it."""
        matches = [
            and_(SubjectAddressRow.key_version == version, SubjectAddressRow.address_hash == address_hash)
            for version, address_hash in hashes.items()
        ]
        return self._session.scalars(
            select(SubjectAddressRow.subject)
            .where(
                SubjectAddressRow.tenant_id == self._tenant,
                SubjectAddressRow.channel == channel,
                or_(*matches),
            )
            .order_by(SubjectAddressRow.registered_at.desc())
            .limit(1)
        ).first()

    def replace_address_book(self, owner: str, hashes: Iterable[tuple[str, str]], at: datetime) -> None:
        """The upload becomes the owner's whole book (`hashes`: (version, hash) pairs): contacts they
        removed are gone from ours too."""
        self._session.execute(
            delete(AddressBookEntryRow).where(
                AddressBookEntryRow.tenant_id == self._tenant, AddressBookEntryRow.owner == owner
            )
        )
        self._session.add_all(
            AddressBookEntryRow(
                tenant_id=self._tenant, owner=owner, contact_hash=h, key_version=version, uploaded_at=at
            )
            for version, h in hashes
        )

    def friends(self, owner: str, versions: Collection[str]) -> list[tuple[str, str]]:
        """(subject, channel) of the owner's contacts whose hash matches a subject's own address under
        the same key version, one of `versions` (the live ones: a retired version matches nothing)."""
        query = (
            select(SubjectAddressRow.subject, SubjectAddressRow.channel)
            .join(
                AddressBookEntryRow,
                (AddressBookEntryRow.tenant_id == SubjectAddressRow.tenant_id)
                & (AddressBookEntryRow.key_version == SubjectAddressRow.key_version)
                & (AddressBookEntryRow.contact_hash == SubjectAddressRow.address_hash),
            )
            .where(
                SubjectAddressRow.tenant_id == self._tenant,
                AddressBookEntryRow.owner == owner,
                SubjectAddressRow.subject != owner,
                SubjectAddressRow.key_version.in_(list(versions)),
            )
            .distinct()
            .order_by(SubjectAddressRow.subject, SubjectAddressRow.channel)
        )
        return [(row.subject, row.channel) for row in self._session.execute(query)]

    def forget_versions_except(self, live: Collection[str]) -> dict[str, int]:
        """Deletes the tenant's hashed contact points made under any version not in `live`; counts per table."""
        removed: dict[str, int] = {}
        for row_type in (AddressBookEntryRow, SubjectAddressRow):
            result = self._session.execute(
                delete(row_type).where(
                    row_type.tenant_id == self._tenant, row_type.key_version.not_in(list(live))
                )
            )
            removed[row_type.__tablename__] = int(getattr(result, "rowcount", 0))
        return removed

    def known_subjects(self, subjects: Sequence[str]) -> set[str]:
        if not subjects:
            return set()
        return set(
            self._session.scalars(
                select(SubjectRow.subject).where(
                    SubjectRow.tenant_id == self._tenant, SubjectRow.subject.in_(list(subjects))
                )
            )
        )


def to_record(row: MessageRow) -> MessageRecord:
    return MessageRecord(
        message_id=row.message_id,
        campaign_id=row.campaign_id,
        subject=row.subject,
        channel=row.channel,
        purpose=row.purpose,
        status=MessageStatus(row.status),
        reason=row.reason,
        address_hash=row.address_hash,
        token_hash=row.token_hash,
        receipt=row.receipt,
        error=row.error,
        not_before=utc(row.not_before) if row.not_before is not None else None,
        dispatched_at=utc(row.dispatched_at) if row.dispatched_at is not None else None,
    )
