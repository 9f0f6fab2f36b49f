"""Queries of `subjects`: who is registered, their refs (the only link from a ref to a person), restriction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consentgate.runtime.consent.rows import utc
from consentgate.runtime.consent.tables import CHUNK, STATE, SUBJECTS, TenantScoped
from consentgate.store.bulk import delete_counted


class SubjectQueries(TenantScoped):
    """Registration is idempotent; erasing a person removes their ref, so their events name no one."""

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
            return postgresql.insert(SUBJECTS).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            return sqlite.insert(SUBJECTS).on_conflict_do_nothing()
        return insert(SUBJECTS)

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
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            query = (
                select(SUBJECTS.c.subject, SUBJECTS.c.ref)
                .where(SUBJECTS.c.tenant_id == self.tenant, SUBJECTS.c.subject.in_(chunk))
                .order_by(SUBJECTS.c.subject)
            )
            rows = session.execute(query.with_for_update() if lock else query).tuples()
            found.update((subject, ref) for subject, ref in rows)  # a Result has .keys(): not a mapping
        return found

    def erase(self, session: Session, subjects: Sequence[str]) -> dict[str, dict[str, int]]:
        """Deletes the people's projection rows and their `subjects` rows (the only ref -> id link);
        returns the rows removed per person and table."""
        removed: dict[str, dict[str, int]] = {s: {STATE.name: 0, SUBJECTS.name: 0} for s in subjects}
        for table in (STATE, SUBJECTS):
            for subject, count in delete_counted(session, table, "subject", self.tenant, subjects).items():
                removed[subject][table.name] = count
        return removed

    def subjects_of(self, session: Session, refs: Iterable[str]) -> dict[str, str]:
        """ref -> subject id, for the refs of people still registered."""
        found: dict[str, str] = {}
        wanted = sorted(set(refs))
        for start in range(0, len(wanted), CHUNK):
            query = select(SUBJECTS.c.ref, SUBJECTS.c.subject).where(
                SUBJECTS.c.tenant_id == self.tenant, SUBJECTS.c.ref.in_(wanted[start : start + CHUNK])
            )
            found.update((ref, subject) for ref, subject in session.execute(query).tuples())
        return found

    def restricted_since(self, session: Session, subject: str) -> datetime | None:
        since: datetime | None = session.scalar(
            select(SUBJECTS.c.restricted_since).where(
                SUBJECTS.c.tenant_id == self.tenant, SUBJECTS.c.subject == subject
            )
        )
        return utc(since) if since is not None else None

    def registration(self, session: Session, subject: str) -> tuple[bool, bool]:
        """(registered, restricted) of one person, in one indexed read."""
        row = session.execute(
            select(SUBJECTS.c.restricted_since).where(
                SUBJECTS.c.tenant_id == self.tenant, SUBJECTS.c.subject == subject
            )
        ).first()
        return (row is not None, row is not None and row[0] is not None)

    def set_restricted_since(self, session: Session, subject: str, since: datetime | None) -> bool:
        """Sets the restriction (None lifts it); False when it already was so (a repeat changes nothing)."""
        now_set = (
            SUBJECTS.c.restricted_since.is_(None)
            if since is not None
            else SUBJECTS.c.restricted_since.isnot(None)
        )
        result = session.execute(
            update(SUBJECTS)
            .where(SUBJECTS.c.tenant_id == self.tenant, SUBJECTS.c.subject == subject, now_set)
            .values(restricted_since=since)
        )
        return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------------ events (append only)


def new_ref() -> str:
    """A person's ref: random, so that nothing about them (not even their id) can recompute it."""
    return secrets.token_hex(16)
