"""All push queries, every one filtered by tenant.

The fan-out reads two tables it does not own, read-only: the ledger's `subjects` (walked by keyset,
`subject > :after ORDER BY subject LIMIT n`, so memory is one batch whatever the tenant's size) and
its `consent_state` projection (one range scan per batch over the subjects just read, one purpose).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from consentgate.runtime.consent.models import SubjectRow
from consentgate.runtime.push.models import CampaignRow, PushAttemptRow, PushDeliveryRow
from consentgate.runtime.push.schemas import Attempt, Delivery, DeliveryStatus, Outcome, Variant

_SUBJECTS = typing.cast(Table, SubjectRow.__table__)
_DELIVERIES = typing.cast(Table, PushDeliveryRow.__table__)
_ATTEMPTS = typing.cast(Table, PushAttemptRow.__table__)
_DELIVERY_COLUMNS = (
    "tenant_id",
    "campaign_id",
    "subject",
    "variant",
    "reason",
    "consent_event_id",
    "status",
    "attempts",
    "planned_at",
)
_COPY_DELIVERIES = f"COPY push_deliveries ({', '.join(_DELIVERY_COLUMNS)}) FROM STDIN"
_INSERT_DELIVERIES = f"INSERT INTO push_deliveries ({', '.join(_DELIVERY_COLUMNS)}) VALUES ({', '.join('?' * len(_DELIVERY_COLUMNS))})"
_PENDING = DeliveryStatus.PENDING.value
# A person who restricted processing (PIPL 44) gets no push at all, personalized or not.
_FIRST_SUBJECTS = (
    "SELECT subject FROM subjects WHERE tenant_id = ? AND restricted_since IS NULL ORDER BY subject LIMIT ?"
)
_NEXT_SUBJECTS = (
    "SELECT subject FROM subjects WHERE tenant_id = ? AND subject > ? AND restricted_since IS NULL"
    " ORDER BY subject LIMIT ?"
)
# Key order (tenant, subject, purpose, recipient): one range scan of the primary key per batch.
_FACT_ROWS = (
    "SELECT subject, recipient, status, notice_id, notice_version, CAST(data AS TEXT), mechanism,"
    " event_id, updated_at FROM consent_state"
    " WHERE tenant_id = ? AND subject >= ? AND subject <= ? AND purpose = ? ORDER BY subject, recipient"
)
# One projection row without its subject: (recipient, status, notice_id, notice_version, data as JSON
# text, mechanism, event_id, updated_at). The first six are what a decision depends on.
FactRow = tuple[str, str, str | None, str | None, str, str, str, Any]
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: str | None) -> str:
    """A value in PostgreSQL's COPY text format: NULL as \\N, separators escaped."""
    return "\\N" if value is None else value.translate(_COPY_ESCAPES)


def utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time the runtime stores is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Planned(NamedTuple):
    """One subject's planned push, before it is written (a named tuple: a million are made per run)."""

    subject: str
    variant: str  # a `Variant` value
    reason: str
    consent_event_id: str | None


@dataclass(frozen=True)
class Pending:
    subject: str
    variant: Variant
    reason: str
    attempts: int


@dataclass(frozen=True)
class Finished:
    """What sending did to one delivery, written back in the batch's transaction."""

    subject: str
    variant: Variant
    reason: str
    status: DeliveryStatus
    attempts: int
    receipt: str | None
    at: datetime


class PushRepository:
    def __init__(self, tenant: str, dialect: str) -> None:
        self.tenant = tenant
        self.dialect = dialect

    # ------------------------------------------------------------------ campaigns

    def campaign(self, session: Session, campaign_id: str, *, lock: bool = False) -> CampaignRow | None:
        """The campaign row; with `lock`, held until commit so two planners of one campaign take turns."""
        return session.get(CampaignRow, (self.tenant, campaign_id), with_for_update=lock or None)

    def campaign_ids(self, session: Session) -> list[str]:
        query = select(CampaignRow.campaign_id).where(CampaignRow.tenant_id == self.tenant)
        return list(session.scalars(query.order_by(CampaignRow.campaign_id)))

    # ------------------------------------------------------------------ fan-out (read-only on the ledger)

    def next_subjects(self, session: Session, after: str | None, limit: int) -> list[str]:
        """Up to `limit` subjects after `after` (from the first when None), in key order."""
        if after is None:
            rows = self._driver_rows(session, _FIRST_SUBJECTS, (self.tenant, limit))
        else:
            rows = self._driver_rows(session, _NEXT_SUBJECTS, (self.tenant, after, limit))
        return [row[0] for row in rows]

    def subjects_between(self, session: Session, first: str, last: str) -> set[str]:
        """The registered, unrestricted subjects in [first, last]: who is still there to send to."""
        query = select(_SUBJECTS.c.subject).where(
            _SUBJECTS.c.tenant_id == self.tenant,
            _SUBJECTS.c.subject >= first,
            _SUBJECTS.c.subject <= last,
            _SUBJECTS.c.restricted_since.is_(None),
        )
        return set(session.scalars(query))

    def fact_rows(self, session: Session, purpose: str, first: str, last: str) -> dict[str, list[FactRow]]:
        """The projection's rows for one purpose of the subjects in [first, last], keyed by subject."""
        by_subject: dict[str, list[FactRow]] = {}
        for subject, *fact in self._driver_rows(session, _FACT_ROWS, (self.tenant, first, last, purpose)):
            by_subject.setdefault(subject, []).append(tuple(fact))
        return by_subject

    def _driver_rows(self, session: Session, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Runs a read on the driver's own cursor: the fan-out reads a million rows, and SQLAlchemy's
        row objects cost several times the query itself. `sql` uses `?` placeholders."""
        connection = session.connection()
        if self.dialect not in {"sqlite", "postgresql"}:
            names = {f"p{i}": value for i, value in enumerate(params)}
            numbered = sql
            for name in names:
                numbered = numbered.replace("?", f":{name}", 1)
            return [tuple(row) for row in connection.execute(text(numbered), names)]
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql if self.dialect == "sqlite" else sql.replace("?", "%s"), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    # ------------------------------------------------------------------ deliveries

    def insert_deliveries(
        self, session: Session, campaign_id: str, planned: Sequence[Planned], at: datetime
    ) -> None:
        """One bulk insert per batch: COPY on PostgreSQL, an executemany elsewhere.

        No ON CONFLICT: the campaign row is locked and its cursor moves in this same transaction, so
        a subject is never planned twice — and if it were, the primary key would fail the batch loudly.
        """
        if self.dialect == "postgresql":
            # COPY text, built here in one string: several times faster than COPY's per-value write_row.
            prefix = f"{_copy_field(self.tenant)}\t{_copy_field(campaign_id)}\t"
            suffix = f"\tpending\t0\t{at.isoformat()}\n"
            data = "".join(
                f"{prefix}{_copy_field(p.subject)}\t{p.variant}\t{p.reason}\t{_copy_field(p.consent_event_id)}{suffix}"
                for p in planned
            )
            cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(_COPY_DELIVERIES) as copy:
                copy.write(data)
            return
        # Straight to the driver's executemany: SQLAlchemy's per-row parameter handling cost more than
        # the insert itself. The time goes in as the text SQLAlchemy's own SQLite type writes.
        connection = session.connection()
        stamp = _DELIVERIES.c.planned_at.type.dialect_impl(connection.dialect).bind_processor(
            connection.dialect
        )
        when = stamp(at) if stamp is not None else at
        rows = [(self.tenant, campaign_id, *p, _PENDING, 0, when) for p in planned]
        connection.exec_driver_sql(_INSERT_DELIVERIES, rows)

    def pending(self, session: Session, campaign_id: str, after: str | None, limit: int) -> list[Pending]:
        query = select(
            _DELIVERIES.c.subject, _DELIVERIES.c.variant, _DELIVERIES.c.reason, _DELIVERIES.c.attempts
        ).where(
            _DELIVERIES.c.tenant_id == self.tenant,
            _DELIVERIES.c.campaign_id == campaign_id,
            _DELIVERIES.c.status == DeliveryStatus.PENDING.value,
        )
        if after is not None:
            query = query.where(_DELIVERIES.c.subject > after)
        rows = session.execute(query.order_by(_DELIVERIES.c.subject).limit(limit))
        return [Pending(row.subject, Variant(row.variant), row.reason, row.attempts) for row in rows]

    def finish(self, session: Session, campaign_id: str, finished: Sequence[Finished]) -> None:
        if not finished:
            return
        statement = (
            update(_DELIVERIES)
            .where(
                _DELIVERIES.c.tenant_id == self.tenant,
                _DELIVERIES.c.campaign_id == campaign_id,
                _DELIVERIES.c.subject == bindparam("b_subject"),
            )
            .values(
                variant=bindparam("b_variant"),
                reason=bindparam("b_reason"),
                status=bindparam("b_status"),
                attempts=bindparam("b_attempts"),
                receipt=bindparam("b_receipt"),
                finished_at=bindparam("b_at"),
            )
        )
        session.execute(
            statement,
            [
                {
                    "b_subject": f.subject,
                    "b_variant": f.variant.value,
                    "b_reason": f.reason,
                    "b_status": f.status.value,
                    "b_attempts": f.attempts,
                    "b_receipt": f.receipt,
                    "b_at": f.at if f.status is not DeliveryStatus.PENDING else None,
                }
                for f in finished
            ],
        )

    def add_attempts(self, session: Session, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            session.execute(insert(_ATTEMPTS), [{"tenant_id": self.tenant, **row} for row in rows])

    def reopen_failed(self, session: Session, campaign_id: str) -> int:
        """Failed deliveries become pending again (a later `send` retries them); returns how many."""
        result = session.execute(
            update(_DELIVERIES)
            .where(
                _DELIVERIES.c.tenant_id == self.tenant,
                _DELIVERIES.c.campaign_id == campaign_id,
                _DELIVERIES.c.status == DeliveryStatus.FAILED.value,
            )
            .values(status=DeliveryStatus.PENDING.value, finished_at=None)
        )
        return int(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------------ reading back

    def deliveries(self, session: Session, campaign_id: str) -> list[Delivery]:
        query = (
            select(PushDeliveryRow)
            .where(PushDeliveryRow.tenant_id == self.tenant, PushDeliveryRow.campaign_id == campaign_id)
            .order_by(PushDeliveryRow.subject)
        )
        return [
            Delivery(
                campaign_id=row.campaign_id,
                subject=row.subject,
                variant=Variant(row.variant),
                reason=row.reason,
                consent_event_id=row.consent_event_id,
                status=DeliveryStatus(row.status),
                attempts=row.attempts,
                planned_at=utc(row.planned_at),
                finished_at=utc(row.finished_at) if row.finished_at is not None else None,
                receipt=row.receipt,
            )
            for row in session.scalars(query)
        ]

    def attempts(self, session: Session, campaign_id: str, subject: str | None) -> list[Attempt]:
        query = select(PushAttemptRow).where(
            PushAttemptRow.tenant_id == self.tenant, PushAttemptRow.campaign_id == campaign_id
        )
        if subject is not None:
            query = query.where(PushAttemptRow.subject == subject)
        query = query.order_by(PushAttemptRow.subject, PushAttemptRow.attempt)
        return [
            Attempt(
                campaign_id=row.campaign_id,
                subject=row.subject,
                attempt=row.attempt,
                variant=Variant(row.variant),
                outcome=Outcome(row.outcome),
                error=row.error,
                receipt=row.receipt,
                at=utc(row.at),
            )
            for row in session.scalars(query)
        ]
