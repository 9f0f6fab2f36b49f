"""All sharing queries; every one filtered by tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consentgate.runtime.sharing.models import RecipientNotificationRow, TransferRow
from consentgate.runtime.sharing.schemas import (
    MAY_HAVE_LEFT,
    NotificationReason,
    NotificationRecord,
    NotificationStatus,
    TransferRecord,
    TransferStatus,
)

_MAY_HAVE_LEFT = sorted(status.value for status in MAY_HAVE_LEFT)
_RETRYABLE_NOTICES = [NotificationStatus.PENDING.value, NotificationStatus.FAILED.value]


class SharingRepository:
    def __init__(self, session: Session, *, tenant: str) -> None:
        self._session = session
        self._tenant = tenant

    # ------------------------------------------------------------------ transfers

    def add_transfer(self, row: TransferRow) -> None:
        row.tenant_id = self._tenant
        self._session.add(row)
        self._session.flush()

    def transfer(self, transfer_id: str, *, lock: bool = False) -> TransferRow | None:
        query = select(TransferRow).where(
            TransferRow.tenant_id == self._tenant, TransferRow.transfer_id == transfer_id
        )
        return self._session.scalars(query.with_for_update() if lock else query).one_or_none()

    def transfers(self, subject: str | None = None) -> list[TransferRow]:
        query = select(TransferRow).where(TransferRow.tenant_id == self._tenant)
        if subject is not None:
            query = query.where(TransferRow.subject == subject)
        return list(self._session.scalars(query.order_by(TransferRow.created_at, TransferRow.transfer_id)))

    def pseudonym_of(self, subject: str, recipient: str) -> tuple[str, str] | None:
        """(pseudonym, key version) of the first transfer of `subject` to `recipient`, if any."""
        row = self._session.execute(
            select(TransferRow.subject_ref, TransferRow.key_version)
            .where(
                TransferRow.tenant_id == self._tenant,
                TransferRow.subject == subject,
                TransferRow.recipient == recipient,
            )
            .order_by(TransferRow.created_at, TransferRow.transfer_id)
            .limit(1)
        ).first()
        return None if row is None else (row.subject_ref, row.key_version)

    def unnotified(self, subject: str) -> list[TransferRow]:
        """Transfers of `subject` that may have reached their recipient and no notice covers yet."""
        return list(
            self._session.scalars(
                select(TransferRow).where(
                    TransferRow.tenant_id == self._tenant,
                    TransferRow.subject == subject,
                    TransferRow.notification_id.is_(None),
                    TransferRow.status.in_(_MAY_HAVE_LEFT),
                )
            )
        )

    def may_have_left(self, subjects: Sequence[str]) -> list[TransferRow]:
        """Transfers of these people whose data may have reached the recipient."""
        found: list[TransferRow] = []
        wanted = sorted(set(subjects))
        for start in range(0, len(wanted), 500):
            found += self._session.scalars(
                select(TransferRow).where(
                    TransferRow.tenant_id == self._tenant,
                    TransferRow.subject.in_(wanted[start : start + 500]),
                    TransferRow.status.in_(_MAY_HAVE_LEFT),
                )
            )
        return found

    def delivered(self, subject: str) -> list[TransferRow]:
        """Transfers of `subject` the recipient acknowledged, oldest first."""
        return list(
            self._session.scalars(
                select(TransferRow)
                .where(
                    TransferRow.tenant_id == self._tenant,
                    TransferRow.subject == subject,
                    TransferRow.status == TransferStatus.DELIVERED.value,
                )
                .order_by(TransferRow.created_at, TransferRow.transfer_id)
            )
        )

    def subjects_unnotified(self, *, after: str, limit: int) -> list[str]:
        """A page of subjects with transfers no notice covers yet, in subject order (keyset paging)."""
        return list(
            self._session.scalars(
                select(TransferRow.subject)
                .where(
                    TransferRow.tenant_id == self._tenant,
                    TransferRow.notification_id.is_(None),
                    TransferRow.status.in_(_MAY_HAVE_LEFT),
                    TransferRow.subject > after,
                )
                .group_by(TransferRow.subject)
                .order_by(TransferRow.subject)
                .limit(limit)
            )
        )

    def mark_notified(self, transfer_ids: Iterable[str], notification_id: str) -> int:
        """Claims the transfers no notice covers yet for `notification_id`; returns how many it claimed."""
        result = self._session.execute(
            update(TransferRow)
            .where(
                TransferRow.tenant_id == self._tenant,
                TransferRow.transfer_id.in_(list(transfer_ids)),
                TransferRow.notification_id.is_(None),
            )
            .values(notification_id=notification_id)
        )
        return int(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------------ notifications

    def add_notification(self, row: RecipientNotificationRow) -> None:
        row.tenant_id = self._tenant
        self._session.add(row)
        self._session.flush()

    def notification(self, notification_id: str) -> RecipientNotificationRow | None:
        return self._session.scalars(
            select(RecipientNotificationRow).where(
                RecipientNotificationRow.tenant_id == self._tenant,
                RecipientNotificationRow.notification_id == notification_id,
            )
        ).one_or_none()

    def notifications(self, subject: str | None = None) -> list[RecipientNotificationRow]:
        query = select(RecipientNotificationRow).where(RecipientNotificationRow.tenant_id == self._tenant)
        if subject is not None:
            query = query.where(RecipientNotificationRow.subject == subject)
        order = (RecipientNotificationRow.created_at, RecipientNotificationRow.notification_id)
        return list(self._session.scalars(query.order_by(*order)))

    def retryable_notifications(self, limit: int) -> list[str]:
        return list(
            self._session.scalars(
                select(RecipientNotificationRow.notification_id)
                .where(
                    RecipientNotificationRow.tenant_id == self._tenant,
                    RecipientNotificationRow.status.in_(_RETRYABLE_NOTICES),
                )
                .order_by(RecipientNotificationRow.created_at, RecipientNotificationRow.notification_id)
                .limit(limit)
            )
        )


def to_transfer(row: TransferRow) -> TransferRecord:
    return TransferRecord(
        transfer_id=row.transfer_id,
        subject=row.subject,
        subject_ref=row.subject_ref,
        recipient=row.recipient,
        purpose=row.purpose,
        requested=tuple(row.requested),
        fields=tuple(row.fields),
        withheld=dict(row.withheld),
        missing=tuple(row.missing),
        status=TransferStatus(row.status),
        reason=row.reason,
        consent_event_id=row.consent_event_id,
        attempts=row.attempts,
        receipt=row.receipt,
        error=row.error,
        notification_id=row.notification_id,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


def to_notification(row: RecipientNotificationRow) -> NotificationRecord:
    return NotificationRecord(
        notification_id=row.notification_id,
        subject=row.subject,
        subject_ref=row.subject_ref,
        recipient=row.recipient,
        purpose=row.purpose,
        reason=NotificationReason(row.reason),
        fields=tuple(row.fields),
        status=NotificationStatus(row.status),
        consent_event_id=row.consent_event_id,
        attempts=row.attempts,
        receipt=row.receipt,
        error=row.error,
        created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
    )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything the runtime writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
