"""Queries of `consent_state`: the projection of the events, the current facts readers ask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, distinct, func, insert, select, update
from sqlalchemy.orm import Session

from consentgate.runtime.consent.models import NO_RECIPIENT, ConsentStateRow
from consentgate.runtime.consent.rows import to_fact
from consentgate.runtime.consent.schemas import ConsentFact, EventKind, SubjectFacts
from consentgate.runtime.consent.statistics import StatusCount
from consentgate.runtime.consent.tables import CHUNK, STATE, STATE_COLUMNS, TenantScoped
from consentgate.runtime.consent.unnest import PG_UPSERT_STATE, STATE_ARRAYS, as_arrays


class StateQueries(TenantScoped):
    """The current facts, one row per (subject, purpose, recipient), written only with the events."""

    def facts(self, session: Session, subjects: Sequence[str]) -> dict[str, SubjectFacts]:
        state: dict[str, SubjectFacts] = {s: {} for s in subjects}
        for start in range(0, len(subjects), CHUNK):
            chunk = list(subjects[start : start + CHUNK])
            query = select(*STATE_COLUMNS).where(STATE.c.tenant_id == self.tenant, STATE.c.subject.in_(chunk))
            for row in session.execute(query):
                fact = to_fact(row)
                state[fact.subject][fact.purpose, fact.recipient] = fact
        return state

    def projection(self, session: Session) -> dict[str, SubjectFacts]:
        state: dict[str, SubjectFacts] = {}
        query = select(*STATE_COLUMNS).where(STATE.c.tenant_id == self.tenant)
        result = session.execute(query.execution_options(yield_per=CHUNK))
        try:
            for row in result:
                fact = to_fact(row)
                state.setdefault(fact.subject, {})[fact.purpose, fact.recipient] = fact
        finally:
            result.close()  # also when a row fails to convert: a server-side cursor must not outlive it
        return state

    def status_counts(self, session: Session) -> list[StatusCount]:
        """People per (purpose, notice version, status), counted by the database in one GROUP BY."""
        group = (STATE.c.purpose, STATE.c.notice_id, STATE.c.notice_version, STATE.c.status)
        query = (
            select(*group, func.count(distinct(STATE.c.subject)).label("people"))
            .where(STATE.c.tenant_id == self.tenant)
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
            session.execute(PG_UPSERT_STATE, as_arrays(rows, STATE_ARRAYS))
            return
        if new:
            session.execute(insert(STATE), [self._state_row(f) for f in new])
        if changed:
            session.execute(update(ConsentStateRow), [self._state_row(f) for f in changed])

    def replace_projection(self, session: Session, state: dict[str, SubjectFacts]) -> None:
        session.execute(delete(STATE).where(STATE.c.tenant_id == self.tenant))
        batch: list[ConsentFact] = []
        for facts in state.values():
            batch.extend(facts.values())
            if len(batch) >= CHUNK:
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
