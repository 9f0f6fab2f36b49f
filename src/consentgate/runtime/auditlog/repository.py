"""Queries on the audit log, every one filtered by tenant. Records are only ever appended."""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consentgate.runtime.auditlog.chain import GENESIS_HASH, as_utc
from consentgate.runtime.auditlog.models import AuditHeadRow, AuditRecordRow
from consentgate.runtime.auditlog.schemas import DECIDED_AT, DECISION_KIND, AuditRecord


@dataclass(frozen=True)
class StoredRecord:
    """A record's columns as read back, before any check: the verifier's input."""

    seq: int
    record_id: str
    kind: str
    payload: str
    created_at: datetime
    prev_hash: str
    hash: str
    subject_ref: str | None = None


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


_RECORDS = cast(Table, AuditRecordRow.__table__)
_RECORD_COLUMNS = (
    AuditRecordRow.seq,
    AuditRecordRow.record_id,
    AuditRecordRow.kind,
    AuditRecordRow.payload,
    AuditRecordRow.created_at,
    AuditRecordRow.prev_hash,
    AuditRecordRow.hash,
    AuditRecordRow.subject_ref,
)


def _stored(row: Any) -> StoredRecord:
    return StoredRecord(
        seq=row.seq,
        record_id=row.record_id,
        kind=row.kind,
        payload=row.payload,
        created_at=as_utc(row.created_at),
        prev_hash=row.prev_hash,
        hash=row.hash,
        subject_ref=row.subject_ref,
    )


def _decided_at(payload: Any) -> datetime | None:
    """A decision's own time from its payload (records written before it was kept have none)."""
    text = payload.get(DECIDED_AT) if isinstance(payload, dict) else None
    if not isinstance(text, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


class AuditRepository:
    def __init__(self, tenant: str) -> None:
        self.tenant = tenant

    def lock_head(self, session: Session) -> Head:
        """The chain head, locked until the session's transaction ends; created at genesis if absent.

        PostgreSQL takes a row lock (`FOR UPDATE`), so writers in any number of processes queue here
        and each sees the head its predecessor committed. SQLite already holds the database write
        lock from `BEGIN IMMEDIATE`, and ignores `FOR UPDATE`.
        """
        locked = (
            select(AuditHeadRow.seq, AuditHeadRow.hash)
            .where(AuditHeadRow.tenant_id == self.tenant)
            .with_for_update()
        )
        row = session.execute(locked).one_or_none()
        if row is None:
            # Two first writers may race to create the head: the loser's insert does nothing
            # (on PostgreSQL it waits for the winner to commit) and both then lock the one row.
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.execute(
                dialect.insert(AuditHeadRow)
                .values(tenant_id=self.tenant, seq=0, hash=GENESIS_HASH)
                .on_conflict_do_nothing()
            )
            row = session.execute(locked).one()
        return Head(seq=row.seq, hash=row.hash)

    def read_head(self, session: Session) -> Head | None:
        row = session.execute(
            select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.tenant_id == self.tenant)
        ).one_or_none()
        return None if row is None else Head(seq=row.seq, hash=row.hash)

    def append(self, session: Session, records: Sequence[StoredRecord], head: Head) -> None:
        """Inserts records (one multi-row statement) and moves the head; the caller holds the lock."""
        session.execute(
            insert(_RECORDS),  # Core, not the ORM's bulk path: that costs a third of a flush
            [
                {
                    "tenant_id": self.tenant,
                    "seq": r.seq,
                    "record_id": r.record_id,
                    "kind": r.kind,
                    "payload": r.payload,
                    "created_at": r.created_at,
                    "prev_hash": r.prev_hash,
                    "hash": r.hash,
                    "subject_ref": r.subject_ref,
                }
                for r in records
            ],
        )
        session.execute(
            update(AuditHeadRow)
            .where(AuditHeadRow.tenant_id == self.tenant)
            .values(seq=head.seq, hash=head.hash)
        )

    def stream(self, session: Session, *, batch: int = 2000) -> Generator[StoredRecord, None, None]:
        """Every record in seq order, fetched `batch` at a time (a server-side cursor on PostgreSQL)."""
        result = session.execute(
            select(*_RECORD_COLUMNS)
            .where(AuditRecordRow.tenant_id == self.tenant)
            .order_by(AuditRecordRow.seq)
            .execution_options(yield_per=batch)
        )
        try:
            for row in result:
                yield _stored(row)
        finally:
            result.close()

    def by_hash(self, session: Session, record_hash: str) -> StoredRecord | None:
        """The record that carries `record_hash` (used only to explain a broken chain, so unindexed)."""
        row = session.execute(
            select(*_RECORD_COLUMNS)
            .where(AuditRecordRow.tenant_id == self.tenant, AuditRecordRow.hash == record_hash)
            .order_by(AuditRecordRow.seq)
            .limit(1)
        ).first()
        return None if row is None else _stored(row)

    def page(self, session: Session, *, after_seq: int, limit: int) -> list[AuditRecord]:
        rows = session.execute(
            select(*_RECORD_COLUMNS)
            .where(AuditRecordRow.tenant_id == self.tenant, AuditRecordRow.seq > after_seq)
            .order_by(AuditRecordRow.seq)
            .limit(limit)
        )
        return self._records(rows)

    def naming(self, session: Session, ref: str, *, kind: str | None) -> list[AuditRecord]:
        """Records about `ref` (their payload's top-level `subject_ref`), in chain order, by index."""
        query = select(*_RECORD_COLUMNS).where(
            AuditRecordRow.tenant_id == self.tenant, AuditRecordRow.subject_ref == ref
        )
        if kind is not None:
            query = query.where(AuditRecordRow.kind == kind)
        return self._records(session.execute(query.order_by(AuditRecordRow.seq)))

    def _records(self, rows: Any) -> list[AuditRecord]:
        return [self._record(r) for r in map(_stored, rows)]

    def _record(self, r: StoredRecord) -> AuditRecord:
        payload = json.loads(r.payload)
        return AuditRecord(
            tenant=self.tenant,
            seq=r.seq,
            record_id=r.record_id,
            kind=r.kind,
            payload=payload,
            created_at=r.created_at,
            prev_hash=r.prev_hash,
            hash=r.hash,
            decided_at=_decided_at(payload) if r.kind == DECISION_KIND else None,
        )

    def count(self, session: Session) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditRecordRow)
                .where(AuditRecordRow.tenant_id == self.tenant)
            )
            or 0
        )
