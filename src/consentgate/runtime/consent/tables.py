"""The ledger's tables as Core tables, the columns its reads fetch, and what every query is scoped by."""

from __future__ import annotations

import typing

from sqlalchemy import Table

from consentgate.runtime.consent.models import ConsentEventRow, ConsentStateRow, SubjectRow

# Core tables for the bulk paths (executemany, RETURNING); `__table__` is typed as a FromClause.
EVENTS = typing.cast(Table, ConsentEventRow.__table__)
STATE = typing.cast(Table, ConsentStateRow.__table__)
SUBJECTS = typing.cast(Table, SubjectRow.__table__)
# Events hold the person's ref; reads join `subjects` to give back the id (and so drop the events of
# people since erased, who have no row there any more).
EVENT_COLUMNS = (
    EVENTS.c.event_id,
    EVENTS.c.seq,
    SUBJECTS.c.subject,
    EVENTS.c.purpose,
    EVENTS.c.kind,
    EVENTS.c.data,
    EVENTS.c.recipient,
    EVENTS.c.notice_id,
    EVENTS.c.notice_version,
    EVENTS.c.mechanism,
    EVENTS.c.channel,
    EVENTS.c.evidence,
    EVENTS.c.occurred_at,
)
STATE_COLUMNS = (
    STATE.c.subject,
    STATE.c.purpose,
    STATE.c.recipient,
    STATE.c.status,
    STATE.c.event_id,
    STATE.c.notice_id,
    STATE.c.notice_version,
    STATE.c.data,
    STATE.c.mechanism,
    STATE.c.updated_at,
)
CHUNK = 5000


class TenantScoped:
    """One tenant's queries on one kind of database: every query filters by `tenant`, and `dialect`
    picks the bulk path the database is fast at."""

    def __init__(self, tenant: str, dialect: str) -> None:
        self.tenant = tenant
        self.dialect = dialect
