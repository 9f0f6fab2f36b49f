"""All rights-request queries; every one filtered by tenant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from consentgate.runtime.rights.models import DeletionCertificateRow, RightsExportRow, RightsRequestRow
from consentgate.runtime.rights.schemas import (
    OPEN_STATUSES,
    REFUSAL_REASONS,
    Refusal,
    RequestStatus,
    RightsKind,
    RightsRequest,
)

_OPEN = sorted(status.value for status in OPEN_STATUSES)
_ORDER = (RightsRequestRow.received_at, RightsRequestRow.request_id)


class RightsRepository:
    def __init__(self, session: Session, *, tenant: str) -> None:
        self._session = session
        self._tenant = tenant

    def add_unless_open(self, values: Mapping[str, Any]) -> RightsRequestRow:
        """Inserts a request unless one of its kind is open for its subject; returns the open one.

        The unique key on (tenant, subject, open_kind) decides, so two processes racing on the same
        request cannot both insert: the second waits for the first and then does nothing. The caller
        compares ids to learn whether its row is the one that stands.
        """
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        self._session.execute(
            insert(RightsRequestRow)
            .values(tenant_id=self._tenant, **values)
            .on_conflict_do_nothing(index_elements=["tenant_id", "subject", "open_kind"])
        )
        row = self.open_of(values["subject"], values["kind"])
        if row is None:  # pragma: no cover - the winner closed it before this read; a caller bug
            raise RuntimeError("a concurrent rights request closed while being received")
        return row

    def get(self, request_id: str, *, lock: bool = False) -> RightsRequestRow | None:
        query = select(RightsRequestRow).where(
            RightsRequestRow.tenant_id == self._tenant, RightsRequestRow.request_id == request_id
        )
        return self._session.scalars(query.with_for_update() if lock else query).one_or_none()

    def get_many(self, request_ids: Sequence[str], *, lock: bool = False) -> dict[str, RightsRequestRow]:
        """The requests by id; locked in id order, so two batches cannot deadlock."""
        wanted = sorted(set(request_ids))
        found: dict[str, RightsRequestRow] = {}
        for start in range(0, len(wanted), 500):
            query = (
                select(RightsRequestRow)
                .where(
                    RightsRequestRow.tenant_id == self._tenant,
                    RightsRequestRow.request_id.in_(wanted[start : start + 500]),
                )
                .order_by(RightsRequestRow.request_id)
            )
            found.update(
                (row.request_id, row)
                for row in self._session.scalars(query.with_for_update() if lock else query)
            )
        return found

    def open_of(self, subject: str, kind: str) -> RightsRequestRow | None:
        return self._session.scalars(
            select(RightsRequestRow).where(
                RightsRequestRow.tenant_id == self._tenant,
                RightsRequestRow.subject == subject,
                RightsRequestRow.open_kind == kind,
            )
        ).one_or_none()

    def open_for(self, subject: str) -> list[RightsRequestRow]:
        return list(
            self._session.scalars(
                select(RightsRequestRow)
                .where(
                    RightsRequestRow.tenant_id == self._tenant,
                    RightsRequestRow.subject == subject,
                    RightsRequestRow.open_kind.is_not(None),
                )
                .order_by(*_ORDER)
            )
        )

    def export_of(self, request_id: str) -> RightsExportRow | None:
        return self._session.scalars(
            select(RightsExportRow).where(
                RightsExportRow.tenant_id == self._tenant, RightsExportRow.request_id == request_id
            )
        ).one_or_none()

    def certificate_of(self, request_id: str) -> DeletionCertificateRow | None:
        return self._session.scalars(
            select(DeletionCertificateRow).where(
                DeletionCertificateRow.tenant_id == self._tenant,
                DeletionCertificateRow.request_id == request_id,
            )
        ).one_or_none()

    def overdue(self, today: date) -> list[RightsRequestRow]:
        """Open requests whose last in-time day is before `today`, oldest first."""
        return list(
            self._session.scalars(
                select(RightsRequestRow)
                .where(
                    RightsRequestRow.tenant_id == self._tenant,
                    RightsRequestRow.due_on < today,
                    RightsRequestRow.status.in_(_OPEN),
                )
                .order_by(RightsRequestRow.due_on, *_ORDER)
            )
        )

    def of_subject(self, subject: str, limit: int) -> list[RightsRequestRow]:
        """The person's requests, open and closed, newest first."""
        return list(
            self._session.scalars(
                select(RightsRequestRow)
                .where(RightsRequestRow.tenant_id == self._tenant, RightsRequestRow.subject == subject)
                .order_by(RightsRequestRow.received_at.desc(), RightsRequestRow.request_id.desc())
                .limit(limit)
            )
        )

    def queue(self, today: date, limit: int) -> list[RightsRequestRow]:
        """Open requests, overdue ones first, then by deadline and receipt: the order to work them in."""
        overdue_first = case((RightsRequestRow.due_on < today, 0), else_=1)
        return list(
            self._session.scalars(
                select(RightsRequestRow)
                .where(RightsRequestRow.tenant_id == self._tenant, RightsRequestRow.status.in_(_OPEN))
                .order_by(overdue_first, RightsRequestRow.due_on, *_ORDER)
                .limit(limit)
            )
        )

    def count_open(self) -> int:
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(RightsRequestRow)
                .where(RightsRequestRow.tenant_id == self._tenant, RightsRequestRow.status.in_(_OPEN))
            )
            or 0
        )


def to_request(row: RightsRequestRow) -> RightsRequest:
    refusal = None
    if row.refusal_reason is not None:
        refusal = Refusal(
            reason_key=row.refusal_reason,
            message=REFUSAL_REASONS[row.refusal_reason].message,
            citations=tuple(row.refusal_citations),
        )
    return RightsRequest(
        request_id=row.request_id,
        subject=row.subject,
        kind=RightsKind(row.kind),
        status=RequestStatus(row.status),
        details=dict(row.details),
        received_at=aware(row.received_at),
        due_on=row.due_on,
        verified_at=_maybeaware(row.verified_at),
        started_at=_maybeaware(row.started_at),
        finished_at=_maybeaware(row.finished_at),
        refusal=refusal,
        updated_at=aware(row.updated_at),
    )


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything the runtime writes is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _maybeaware(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware(moment)
