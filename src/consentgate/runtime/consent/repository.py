"""All ledger queries, every one filtered by tenant.

There is deliberately no update or delete for events: `append` is the only write to
`consent_events`. The projection (`consent_state`) is written through `save_facts` and
`replace_projection` only.
"""

from __future__ import annotations

import secrets
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Row,
    Select,
    Table,
    Text,
    and_,
    cast,
    delete,
    distinct,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consentgate.runtime.consent.models import NO_RECIPIENT, ConsentEventRow, ConsentStateRow, SubjectRow
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    ConsentFact,
    EventKind,
    Evidence,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.consent.statistics import StatusCount
from consentgate.store.bulk import delete_counted

# Core tables for the bulk paths (executemany, RETURNING); `__table__` is typed as a FromClause.
_EVENTS = typing.cast(Table, ConsentEventRow.__table__)
_STATE = typing.cast(Table, ConsentStateRow.__table__)
_SUBJECTS = typing.cast(Table, SubjectRow.__table__)
# Events hold the person's ref; reads join `subjects` to give back the id (and so drop the events of
# people since erased, who have no row there any more).
_EVENT_COLUMNS = (
    _EVENTS.c.event_id,
    _EVENTS.c.seq,
    _SUBJECTS.c.subject,
    _EVENTS.c.purpose,
    _EVENTS.c.kind,
    _EVENTS.c.data,
    _EVENTS.c.recipient,
    _EVENTS.c.notice_id,
    _EVENTS.c.notice_version,
    _EVENTS.c.mechanism,
    _EVENTS.c.channel,
    _EVENTS.c.evidence,
    _EVENTS.c.occurred_at,
)
_STATE_COLUMNS = (
    _STATE.c.subject,
    _STATE.c.purpose,
    _STATE.c.recipient,
    _STATE.c.status,
    _STATE.c.event_id,
    _STATE.c.notice_id,
    _STATE.c.notice_version,
    _STATE.c.data,
    _STATE.c.mechanism,
    _STATE.c.updated_at,
)
_CHUNK = 5000

# PostgreSQL bulk paths: one statement per batch whatever its size, each column sent as one array
# (`unnest`), instead of a round trip per row or a statement with thousands of placeholders.
# JSON columns travel as text and are cast on the server.
_EVENT_ARRAYS = {
    "tenant_id": "text",
    "seq": "bigint",
    "event_id": "text",
    "subject_ref": "text",
    "purpose": "text",
    "kind": "text",
    "data": "json",
    "recipient": "text",
    "notice_id": "text",
    "notice_version": "text",
    "mechanism": "text",
    "channel": "text",
    "evidence": "json",
    "occurred_at": "timestamptz",
}
_STATE_ARRAYS = {
    "tenant_id": "text",
    "subject": "text",
    "purpose": "text",
    "recipient": "text",
    "status": "text",
    "event_id": "text",
    "notice_id": "text",
    "notice_version": "text",
    "data": "json",
    "mechanism": "text",
    "updated_at": "timestamptz",
}


def _unnest_insert(table: str, columns: dict[str, str]) -> str:
    names = ", ".join(columns)
    picked = ", ".join(f"x.{c}::jsonb" if kind == "json" else f"x.{c}" for c, kind in columns.items())
    arrays = ", ".join(f"CAST(:{c} AS {'text' if kind == 'json' else kind}[])" for c, kind in columns.items())
    return f"INSERT INTO {table} ({names}) SELECT {picked} FROM unnest({arrays}) AS x({names})"


def _as_arrays(rows: Sequence[dict[str, Any]], columns: dict[str, str]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for column, kind in columns.items():
        values = [row[column] for row in rows]
        arrays[column] = [orjson.dumps(v).decode() for v in values] if kind == "json" else values
    return arrays


_PG_APPEND = text(_unnest_insert("consent_events", _EVENT_ARRAYS))
_PG_UPSERT_STATE = text(
    _unnest_insert("consent_state", _STATE_ARRAYS)
    + " ON CONFLICT (tenant_id, subject, purpose, recipient) DO UPDATE SET "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in ("status", "event_id", "notice_id", "notice_version", "data", "mechanism", "updated_at")
    )
)


@dataclass(frozen=True)
class Draft:
    """An event the service validated and stamped, before the store gives it its `seq`."""

    event_id: str
    occurred_at: datetime
    event: NewConsentEvent


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; every time we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _evidence_document(evidence: Evidence) -> dict[str, str]:
    fields = {
        "screen_id": evidence.screen_id,
        "locale": evidence.locale,
        "user_agent": evidence.user_agent,
        "ip_hash": evidence.ip_hash,
    }
    return {name: value for name, value in fields.items() if value is not None}


_KINDS = {kind.value: kind for kind in EventKind}
_MECHANISMS = {mechanism.value: mechanism for mechanism in Mechanism}
_NO_EVIDENCE = Evidence()


def _to_event(row: Row[Any]) -> ConsentEvent:
    return ConsentEvent(
        event_id=row.event_id,
        seq=row.seq,
        subject=row.subject,
        purpose=row.purpose,
        kind=_KINDS[row.kind],
        data=tuple(row.data),
        recipient=row.recipient,
        notice_id=row.notice_id,
        notice_version=row.notice_version,
        mechanism=_MECHANISMS[row.mechanism],
        channel=row.channel,
        evidence=Evidence(**row.evidence),
        occurred_at=_utc(row.occurred_at),
    )


def _to_folded_event(row: Row[Any]) -> ConsentEvent:
    # For the fold only: it never reads channel or evidence, so they are not fetched, and `data`
    # comes as JSON text for orjson (several times faster than the drivers' json.loads).
    return ConsentEvent(
        event_id=row.event_id,
        seq=row.seq,
        subject=row.subject,
        purpose=row.purpose,
        kind=_KINDS[row.kind],
        data=tuple(orjson.loads(row.data)),
        recipient=row.recipient,
        notice_id=row.notice_id,
        notice_version=row.notice_version,
        mechanism=_MECHANISMS[row.mechanism],
        channel=None,
        evidence=_NO_EVIDENCE,
        occurred_at=_utc(row.occurred_at),
    )


def _to_fact(row: Row[Any]) -> ConsentFact:
    return ConsentFact(
        subject=row.subject,
        purpose=row.purpose,
        recipient=row.recipient or None,
        status=EventKind(row.status),
        event_id=row.event_id,
        notice_id=row.notice_id,
        notice_version=row.notice_version,
        data=tuple(row.data),
        mechanism=Mechanism(row.mechanism),
        updated_at=_utc(row.updated_at),
    )


class ConsentRepository:
    def __init__(self, tenant: str, dialect: str) -> None:
        self.tenant = tenant
        self.dialect = dialect

    # ------------------------------------------------------------------ subjects

    def add_subjects(self, session: Session, subjects: Iterable[str], at: datetime) -> list[str]:
        """Registers subjects not yet known; returns those that were new (idempotent)."""
        wanted = sorted(set(subjects))
        known = self.known_subjects(session, wanted)
        new = [s for s in wanted if s not in known]
        if new:
            rows = [
                {"tenant_id": self.tenant, "subject": s, "ref": new_ref(), "registered_at": at} for s in new
            ]
            session.execute(self._insert_ignoring_duplicates(), rows)
        return new

    def _insert_ignoring_duplicates(self) -> Any:
        # A concurrent registration of the same subject is not an error: registration is idempotent.
        if self.dialect == "postgresql":
            return postgresql.insert(_SUBJECTS).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            return sqlite.insert(_SUBJECTS).on_conflict_do_nothing()
        return insert(_SUBJECTS)

    def prefer_custom_plans(self, session: Session) -> None:
        """Plans each batch query for its own values, for the rest of this transaction.

        psycopg prepares a statement it has run five times, and PostgreSQL then may switch to a
        generic plan; for `subject IN (<hundreds of parameters>)` the generic plan scans the whole
        table — a batch slowed from ~10 ms to ~100 ms per query in `benchmarks/ledger.py`.
        """
        if self.dialect == "postgresql":
            session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    def known_subjects(self, session: Session, subjects: Sequence[str], *, lock: bool = False) -> set[str]:
        """Which of `subjects` are registered; with `lock`, also locks their rows until commit."""
        return set(self.refs(session, subjects, lock=lock))

    def refs(self, session: Session, subjects: Iterable[str], *, lock: bool = False) -> dict[str, str]:
        """The ref of each registered subject among `subjects`; with `lock`, locks their rows until commit.

        Locking the subject rows (in sorted order, so two batches cannot deadlock) serializes the
        writers of one person: their events get `seq` in the order their projections are written.
        """
        found: dict[str, str] = {}
        ordered = sorted(set(subjects))
        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            query = (
                select(_SUBJECTS.c.subject, _SUBJECTS.c.ref)
                .where(_SUBJECTS.c.tenant_id == self.tenant, _SUBJECTS.c.subject.in_(chunk))
                .order_by(_SUBJECTS.c.subject)
            )
            rows = session.execute(query.with_for_update() if lock else query).tuples()
            found.update((subject, ref) for subject, ref in rows)  # a Result has .keys(): not a mapping
        return found

    def erase(self, session: Session, subjects: Sequence[str]) -> dict[str, dict[str, int]]:
        """Deletes the people's projection rows and their `subjects` rows (the only ref -> id link);
        returns the rows removed per person and table."""
        removed: dict[str, dict[str, int]] = {s: {_STATE.name: 0, _SUBJECTS.name: 0} for s in subjects}
        for table in (_STATE, _SUBJECTS):
            for subject, count in delete_counted(session, table, "subject", self.tenant, subjects).items():
                removed[subject][table.name] = count
        return removed

    def subjects_of(self, session: Session, refs: Iterable[str]) -> dict[str, str]:
        """ref -> subject id, for the refs of people still registered."""
        found: dict[str, str] = {}
        wanted = sorted(set(refs))
        for start in range(0, len(wanted), _CHUNK):
            query = select(_SUBJECTS.c.ref, _SUBJECTS.c.subject).where(
                _SUBJECTS.c.tenant_id == self.tenant, _SUBJECTS.c.ref.in_(wanted[start : start + _CHUNK])
            )
            found.update((ref, subject) for ref, subject in session.execute(query).tuples())
        return found

    def restricted_since(self, session: Session, subject: str) -> datetime | None:
        since: datetime | None = session.scalar(
            select(_SUBJECTS.c.restricted_since).where(
                _SUBJECTS.c.tenant_id == self.tenant, _SUBJECTS.c.subject == subject
            )
        )
        return _utc(since) if since is not None else None

    def registration(self, session: Session, subject: str) -> tuple[bool, bool]:
        """(registered, restricted) of one person, in one indexed read."""
        row = session.execute(
            select(_SUBJECTS.c.restricted_since).where(
                _SUBJECTS.c.tenant_id == self.tenant, _SUBJECTS.c.subject == subject
            )
        ).first()
        return (row is not None, row is not None and row[0] is not None)

    def set_restricted_since(self, session: Session, subject: str, since: datetime | None) -> bool:
        """Sets the restriction (None lifts it); False when it already was so (a repeat changes nothing)."""
        now_set = (
            _SUBJECTS.c.restricted_since.is_(None)
            if since is not None
            else _SUBJECTS.c.restricted_since.isnot(None)
        )
        result = session.execute(
            update(_SUBJECTS)
            .where(_SUBJECTS.c.tenant_id == self.tenant, _SUBJECTS.c.subject == subject, now_set)
            .values(restricted_since=since)
        )
        return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------------ events (append only)

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
                "evidence": _evidence_document(d.event.evidence),
                "occurred_at": d.occurred_at,
            }
            for d in drafts
        ]
        seqs = self._take_seqs(session, len(rows))
        if seqs is None:
            statement = insert(_EVENTS).returning(_EVENTS.c.seq, sort_by_parameter_order=True)
            seqs = list(session.scalars(statement, rows))
        else:
            for row, seq in zip(rows, seqs, strict=True):
                row["seq"] = seq
            if self.dialect == "postgresql":
                session.execute(_PG_APPEND, _as_arrays(rows, _EVENT_ARRAYS))
            else:
                session.execute(insert(_EVENTS), rows)
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
            top = session.scalar(select(func.max(_EVENTS.c.seq))) or 0
            return list(range(top + 1, top + count + 1))
        return None

    def events(self, session: Session, subject: str | None = None) -> list[ConsentEvent]:
        return list(self.stream_events(session, subject))

    def stream_events(self, session: Session, subject: str | None = None) -> Iterator[ConsentEvent]:
        """The tenant's events in ledger order, fetched in chunks (a rebuild reads millions)."""
        query = self._joined(select(*_EVENT_COLUMNS))
        if subject is not None:
            query = query.where(_SUBJECTS.c.subject == subject)
        else:
            self._plan_for_every_row(session)
        result = session.execute(query.order_by(_EVENTS.c.seq).execution_options(yield_per=_CHUNK))
        for row in result:
            yield _to_event(row)

    def stream_for_fold(self, session: Session) -> Iterator[ConsentEvent]:
        """The tenant's events in ledger order with what the projection reads (no channel, no
        evidence): what a rebuild of millions of events needs, and nothing more."""
        self._plan_for_every_row(session)
        columns = [c for c in _EVENT_COLUMNS if c.name not in {"channel", "evidence", "data"}]
        query = self._joined(select(*columns, cast(_EVENTS.c.data, Text).label("data")))
        result = session.execute(query.order_by(_EVENTS.c.seq).execution_options(yield_per=_CHUNK))
        for row in result:
            yield _to_folded_event(row)

    def _plan_for_every_row(self, session: Session) -> None:
        """A server-side cursor is planned for its first rows (cursor_tuple_fraction 0.1): a nested loop
        probing `subjects` once per event. Reading the whole ledger, plan for all rows (a hash join):
        a rebuild of 200,000 events took 70 s the first way and 6 s this way (benchmarks/ledger.py)."""
        if self.dialect == "postgresql":
            session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))

    def _joined(self, query: Select[Any]) -> Select[Any]:
        """`query` over this tenant's events, joined to their subjects' rows (ref -> id)."""
        on = and_(_SUBJECTS.c.tenant_id == _EVENTS.c.tenant_id, _SUBJECTS.c.ref == _EVENTS.c.subject_ref)
        return query.select_from(_EVENTS.join(_SUBJECTS, on)).where(_EVENTS.c.tenant_id == self.tenant)

    def block_writers(self, session: Session) -> None:
        """Holds new events back until this transaction ends, so a rebuild sees a settled ledger.

        SHARE mode waits for writers that already inserted to commit and makes later writers wait;
        readers go on. SQLite's BEGIN IMMEDIATE already excludes other writers.
        """
        if self.dialect == "postgresql":
            session.execute(text("LOCK TABLE consent_events IN SHARE MODE"))

    # ------------------------------------------------------------------ projection

    def facts(self, session: Session, subjects: Sequence[str]) -> dict[str, SubjectFacts]:
        state: dict[str, SubjectFacts] = {s: {} for s in subjects}
        for start in range(0, len(subjects), _CHUNK):
            chunk = list(subjects[start : start + _CHUNK])
            query = select(*_STATE_COLUMNS).where(
                _STATE.c.tenant_id == self.tenant, _STATE.c.subject.in_(chunk)
            )
            for row in session.execute(query):
                fact = _to_fact(row)
                state[fact.subject][fact.purpose, fact.recipient] = fact
        return state

    def projection(self, session: Session) -> dict[str, SubjectFacts]:
        state: dict[str, SubjectFacts] = {}
        query = select(*_STATE_COLUMNS).where(_STATE.c.tenant_id == self.tenant)
        for row in session.execute(query.execution_options(yield_per=_CHUNK)):
            fact = _to_fact(row)
            state.setdefault(fact.subject, {})[fact.purpose, fact.recipient] = fact
        return state

    def status_counts(self, session: Session) -> list[StatusCount]:
        """People per (purpose, notice version, status), counted by the database in one GROUP BY."""
        group = (_STATE.c.purpose, _STATE.c.notice_id, _STATE.c.notice_version, _STATE.c.status)
        query = (
            select(*group, func.count(distinct(_STATE.c.subject)).label("people"))
            .where(_STATE.c.tenant_id == self.tenant)
            .group_by(*group)
        )
        return [
            StatusCount(
                purpose=row.purpose,
                notice_id=row.notice_id,
                notice_version=row.notice_version,
                status=EventKind(row.status),
                people=row.people,
            )
            for row in session.execute(query)
        ]

    def save_facts(
        self, session: Session, new: Sequence[ConsentFact], changed: Sequence[ConsentFact]
    ) -> None:
        """Inserts facts for keys not held before and overwrites those that were (subjects are locked)."""
        if self.dialect == "postgresql" and (new or changed):
            rows = [self._state_row(f) for f in [*new, *changed]]
            session.execute(_PG_UPSERT_STATE, _as_arrays(rows, _STATE_ARRAYS))
            return
        if new:
            session.execute(insert(_STATE), [self._state_row(f) for f in new])
        if changed:
            session.execute(update(ConsentStateRow), [self._state_row(f) for f in changed])

    def replace_projection(self, session: Session, state: dict[str, SubjectFacts]) -> None:
        session.execute(delete(_STATE).where(_STATE.c.tenant_id == self.tenant))
        batch: list[ConsentFact] = []
        for facts in state.values():
            batch.extend(facts.values())
            if len(batch) >= _CHUNK:
                self.save_facts(session, batch, ())
                batch = []
        if batch:
            self.save_facts(session, batch, ())

    def _state_row(self, fact: ConsentFact) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant,
            "subject": fact.subject,
            "purpose": fact.purpose,
            "recipient": fact.recipient if fact.recipient is not None else NO_RECIPIENT,
            "status": fact.status.value,
            "event_id": fact.event_id,
            "notice_id": fact.notice_id,
            "notice_version": fact.notice_version,
            "data": list(fact.data),
            "mechanism": fact.mechanism.value,
            "updated_at": fact.updated_at,
        }


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


def new_ref() -> str:
    """A person's ref: random, so that nothing about them (not even their id) can recompute it."""
    return secrets.token_hex(16)
