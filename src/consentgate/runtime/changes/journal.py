"""Writing and reading the change journal; every query is scoped by tenant."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.orm import Session

from consentgate.runtime.changes.models import FactChangeRow
from consentgate.runtime.context import TenantContext
from consentgate.runtime.ports import Clock

# A change to something every cached decision may rest on (a notice publication).
EVERYTHING: None = None
_PENDING = "consentgate.changes.pending"  # session.info key: refs to journal at this transaction's commit
# PostgreSQL channel every process LISTENs on; the payload is the tenant, so a wake reads one journal.
CHANNEL = "consentgate_changes"
_NOTIFY = text("SELECT pg_notify(:channel, :tenant)")


def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


class ChangeJournal:
    """One writer identity (`origin`) of one tenant. Each Engine has its own, so that two engines in
    one process (or two worker processes) hear each other, and neither hears itself twice."""

    def __init__(self, *, tenant: str, clock: Clock) -> None:
        self.tenant = tenant
        self.origin = secrets.token_hex(8)
        self._clock = clock

    @classmethod
    def of(cls, ctx: TenantContext) -> ChangeJournal:
        return cls(tenant=ctx.tenant, clock=ctx.clock)

    def record_in(self, session: Session, refs: Iterable[str | None]) -> None:
        """Notes, inside the writer's transaction, that the facts of these refs (None: the notices) changed.

        The rows are written at the transaction's commit, not now: a row's `seq` is taken when it is
        inserted, but readers see rows in commit order, and a watcher that has read past seq 7 never
        looks at a seq 6 committed later. Written last — after the audit chain's head lock, which every
        journalled change takes and holds to its commit — seqs become visible in the order they were
        taken, so no watcher can pass one by (on PostgreSQL; SQLite has one writer at a time anyway)."""
        pending: dict[str | None, None] | None = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = {}
            event.listen(session, "before_commit", self._write_pending, once=True)
            event.listen(session, "after_rollback", _forget_pending, once=True)
        pending.update(dict.fromkeys(refs))

    def _write_pending(self, session: Session) -> None:
        pending: dict[str | None, None] = session.info.pop(_PENDING, {})
        at = self._clock.now()
        rows = [
            {"tenant_id": self.tenant, "subject_ref": ref, "origin": self.origin, "at": at} for ref in pending
        ]
        if rows:
            session.execute(insert(FactChangeRow), rows)
            if session.get_bind().dialect.name == "postgresql":
                # Queued in this transaction, so PostgreSQL delivers it at commit, never before the rows
                # are visible and never for a rollback; listeners then read the journal at once.
                session.execute(_NOTIFY, {"channel": CHANNEL, "tenant": self.tenant})

    def head(self, session: Session) -> int:
        return int(
            session.scalar(select(func.max(FactChangeRow.seq)).where(FactChangeRow.tenant_id == self.tenant))
            or 0
        )

    @staticmethod
    def latest(session: Session) -> int:
        """The newest seq of any tenant: one number, no row. On SQLite, where writers commit one at a
        time, an unchanged value proves that no tenant's journal grew, so one poll costs one query."""
        return int(session.scalar(select(func.max(FactChangeRow.seq))) or 0)

    def after(self, session: Session, seq: int, limit: int) -> list[tuple[int, str | None, str]]:
        """Changes after `seq`, oldest first: (seq, ref or None, origin)."""
        query = (
            select(FactChangeRow.seq, FactChangeRow.subject_ref, FactChangeRow.origin)
            .where(FactChangeRow.tenant_id == self.tenant, FactChangeRow.seq > seq)
            .order_by(FactChangeRow.seq)
            .limit(limit)
        )
        return [(row.seq, row.subject_ref, row.origin) for row in session.execute(query)]

    def prune(self, session: Session, before: datetime) -> int:
        """Drops changes every live watcher has long read (they poll far more often than this runs)."""
        result = session.execute(
            delete(FactChangeRow).where(FactChangeRow.tenant_id == self.tenant, FactChangeRow.at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
