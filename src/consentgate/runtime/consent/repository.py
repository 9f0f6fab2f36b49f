"""All ledger queries, every one filtered by tenant: one repository over the ledger's three tables.

There is deliberately no update or delete for events: `append` is the only write to
`consent_events`. The projection (`consent_state`) is written through `save_facts` and
`replace_projection` only. Each table's queries live in their own module (`subjects`, `events`,
`state`); this class joins them, so the ledger holds one repository.
"""

from __future__ import annotations

from consentgate.runtime.consent.events import Draft, EventQueries, event_owner
from consentgate.runtime.consent.state import StateQueries
from consentgate.runtime.consent.subjects import SubjectQueries, new_ref

__all__ = ["ConsentRepository", "Draft", "event_owner", "new_ref"]


class ConsentRepository(SubjectQueries, EventQueries, StateQueries):
    """One tenant's ledger queries: subjects and their refs, the append-only events, the projection."""
