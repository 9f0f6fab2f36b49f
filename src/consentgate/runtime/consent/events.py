"""Queries of `consent_events`: appended in order, never updated or deleted, read back in ledger order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, and_, cast, func, insert, select, text
from sqlalchemy.orm import Session

from consentgate.runtime.consent.models import ConsentEventRow, SubjectRow
from consentgate.runtime.consent.rows import evidence_document, to_event, to_folded_event
from consentgate.runtime.consent.schemas import ConsentEvent, NewConsentEvent
from consentgate.runtime.consent.tables import CHUNK, EVENT_COLUMNS, EVENTS, SUBJECTS, TenantScoped
from consentgate.runtime.consent.unnest import EVENT_ARRAYS, PG_APPEND, as_arrays

EVIDENCE_DIGEST = "evidence_sha256"  # the key under which the chain record carries an event's evidence


def evidence_digest(evidence: Mapping[str, Any]) -> str:
    """SHA-256 of the stored evidence document as canonical JSON (sorted keys, no whitespace).

    The chain record of a transaction's events carries this rather than the evidence itself (a user
    agent, an IP hash): enough to bind the column, nothing more of the person in the chain.
    """
    text_ = json.dumps(dict(evidence), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Draft:
    """An event the service validated and stamped, before the store gives it its `seq`."""

    event_id: str
    occurred_at: datetime
    event: NewConsentEvent


class EventQueries(TenantScoped):
    """`append` is the only write: each event gets its `seq` from the store, in the order given."""

    def prefer_custom_plans(self, session: Session) -> None:
        """Plans each batch query for its own values, for the rest of this transaction.

        psycopg prepares a statement it has run five times, and PostgreSQL then may switch to a
        generic plan; for `subject IN (<hundreds of parameters>)` the generic plan scans the whole
        table — a batch slowed from ~10 ms to ~100 ms per query in `benchmarks/ledger.py`.
        """
        if self.dialect == "postgresql":
            session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    def append(
        self, session: Session, drafts: Sequence[Draft], refs: Mapping[str, str]
    ) -> list[ConsentEvent]:
        """Inserts the events in order (each under its subject's ref from `refs`) and returns them with
        the `seq` the store assigned."""
        rows: list[dict[str, Any]] = [
            {
                "tenant_id": self.tenant,
                "event_id": d.event_id,
                "subject_ref": refs[d.event.subject],
                "purpose": d.event.purpose,
                "kind": d.event.kind.value,
                "data": list(d.event.data),
                "recipient": d.event.recipient,
                "notice_id": d.event.notice_id,
                "notice_version": d.event.notice_version,
                "mechanism": d.event.mechanism.value,
                "channel": d.event.channel,
                "evidence": evidence_document(d.event.evidence),
                "occurred_at": d.occurred_at,
            }
            for d in drafts
        ]
        seqs = self._take_seqs(session, len(rows))
        if seqs is None:
            statement = insert(EVENTS).returning(EVENTS.c.seq, sort_by_parameter_order=True)
            seqs = list(session.scalars(statement, rows))
        else:
            for row, seq in zip(rows, seqs, strict=True):
                row["seq"] = seq
            if self.dialect == "postgresql":
                session.execute(PG_APPEND, as_arrays(rows, EVENT_ARRAYS))
            else:
                session.execute(insert(EVENTS), rows)
        return [
            ConsentEvent(
                event_id=d.event_id,
                seq=seq,
                subject=d.event.subject,
                purpose=d.event.purpose,
                kind=d.event.kind,
                data=tuple(d.event.data),
                recipient=d.event.recipient,
                notice_id=d.event.notice_id,
                notice_version=d.event.notice_version,
                mechanism=d.event.mechanism,
                channel=d.event.channel,
                evidence=d.event.evidence,
                occurred_at=d.occurred_at,
            )
            for d, seq in zip(drafts, seqs, strict=True)
        ]

    def _take_seqs(self, session: Session, count: int) -> list[int] | None:
        """`count` ascending `seq` values from the column's own autoincrement, taken up front.

        Knowing them lets a batch go in as a plain executemany (pipelined by psycopg, prepared
        once by sqlite3) instead of one giant multi-VALUES statement with RETURNING, which is
        several times slower to build and parse. PostgreSQL draws them from the column's
        sequence; SQLite continues from the highest `seq` — safe because BEGIN IMMEDIATE already
        holds the only write lock. Other databases get None: insert with RETURNING instead.
        """
        if self.dialect == "postgresql":
            drawn = session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('consent_events', 'seq')) "
                    "FROM generate_series(1, :count)"
                ),
                {"count": count},
            )
            return sorted(drawn)
        if self.dialect == "sqlite":
            top = session.scalar(select(func.max(EVENTS.c.seq))) or 0
            return list(range(top + 1, top + count + 1))
        return None

    def events(self, session: Session, subject: str | None = None) -> list[ConsentEvent]:
        return list(self.stream_events(session, subject))

    def stream_events(self, session: Session, subject: str | None = None) -> Iterator[ConsentEvent]:
        """The tenant's events in ledger order, fetched in chunks (a rebuild reads millions)."""
        query = self._joined(select(*EVENT_COLUMNS))
        if subject is not None:
            query = query.where(SUBJECTS.c.subject == subject)
        else:
            self._plan_for_every_row(session)
        result = session.execute(query.order_by(EVENTS.c.seq).execution_options(yield_per=CHUNK))
        for row in result:
            yield to_event(row)

    def stream_for_fold(self, session: Session) -> Iterator[ConsentEvent]:
        """The tenant's events in ledger order with what the projection reads (no channel, no
        evidence): what a rebuild of millions of events needs, and nothing more."""
        self._plan_for_every_row(session)
        columns = [c for c in EVENT_COLUMNS if c.name not in {"channel", "evidence", "data"}]
        query = self._joined(select(*columns, cast(EVENTS.c.data, Text).label("data")))
        result = session.execute(query.order_by(EVENTS.c.seq).execution_options(yield_per=CHUNK))
        try:
            for row in result:
                yield to_folded_event(row)
        finally:
            result.close()  # also when a row fails to convert: a server-side cursor must not outlive it

    def _plan_for_every_row(self, session: Session) -> None:
        """A server-side cursor is planned for its first rows (cursor_tuple_fraction 0.1): a nested loop
        probing `subjects` once per event. Reading the whole ledger, plan for all rows (a hash join):
        a rebuild of 200,000 events took 70 s the first way and 6 s this way (benchmarks/ledger.py)."""
        if self.dialect == "postgresql":
            session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))

    def _joined(self, query: Select[Any]) -> Select[Any]:
        """`query` over this tenant's events, joined to their subjects' rows (ref -> id)."""
        on = and_(SUBJECTS.c.tenant_id == EVENTS.c.tenant_id, SUBJECTS.c.ref == EVENTS.c.subject_ref)
        return query.select_from(EVENTS.join(SUBJECTS, on)).where(EVENTS.c.tenant_id == self.tenant)

    def block_writers(self, session: Session) -> None:
        """Holds new events back until this transaction ends, so a rebuild sees a settled ledger.

        SHARE mode waits for writers that already inserted to commit and makes later writers wait;
        readers go on. SQLite's BEGIN IMMEDIATE already excludes other writers.
        """
        if self.dialect == "postgresql":
            session.execute(text("LOCK TABLE consent_events IN SHARE MODE"))


def event_owner(session: Session, event_id: str) -> tuple[str, str] | None:
    """(tenant, subject) of a consent event, or None: no such event, or its person was erased (an
    erased person's proofs belong to no one). The one query that deliberately crosses tenants: it
    reveals only whose an event is, so that a caller can refuse another tenant's."""
    on = and_(
        SubjectRow.tenant_id == ConsentEventRow.tenant_id, SubjectRow.ref == ConsentEventRow.subject_ref
    )
    row = session.execute(
        select(ConsentEventRow.tenant_id, SubjectRow.subject)
        .select_from(ConsentEventRow)
        .join(SubjectRow, on)
        .where(ConsentEventRow.event_id == event_id)
    ).first()
    return (row.tenant_id, row.subject) if row is not None else None
