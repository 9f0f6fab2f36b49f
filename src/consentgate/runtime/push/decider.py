"""A batch's decisions: the gate's PURE decide, computed once per distinct fact content.

`gate.rules.decide` reads what a fact says — recipient, status, notice version, mechanism, data —
never whose it is or when it was written; the event id it names is the fact's own. A batch of
thousands of subjects holds a handful of distinct contents, so each is decided once, from real
`ConsentFact`s, and every subject with the same content gets that answer with its own event id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from consentgate.runtime.consent.schemas import ConsentFact, EventKind, Mechanism, SubjectFacts
from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.gate.rules import decide
from consentgate.runtime.policy import PurposePolicy
from consentgate.runtime.push.repository import FactRow

_KINDS = {kind.value: kind for kind in EventKind}
_MECHANISMS = {mechanism.value: mechanism for mechanism in Mechanism}
_NO_ROWS: tuple[FactRow, ...] = ()
# A memo entry: the decision, and which of the rows holds the event it rests on (None: none does).
_Memo = tuple[Decision, int | None]


def _utc(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value  # SQLite returns text
    assert isinstance(moment, datetime)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def facts_of(subject: str, purpose: str, rows: Sequence[FactRow]) -> SubjectFacts:
    """The subject's facts for `purpose`, as the ledger's projection would hand them out."""
    facts: SubjectFacts = {}
    for recipient, status, notice_id, notice_version, data, mechanism, event_id, updated_at in rows:
        facts[purpose, recipient or None] = ConsentFact(
            subject=subject,
            purpose=purpose,
            recipient=recipient or None,
            status=_KINDS[status],
            event_id=event_id,
            notice_id=notice_id,
            notice_version=notice_version,
            data=tuple(orjson.loads(data)),
            mechanism=_MECHANISMS[mechanism],
            updated_at=_utc(updated_at),
        )
    return facts


class BatchDecider:
    """Decides one purpose for many subjects; holds one entry per distinct fact content it has seen."""

    def __init__(
        self, purpose: PurposePolicy, data: frozenset[str], acceptable: frozenset[tuple[str, str]]
    ) -> None:
        self._purpose = purpose
        self._data = data
        self._acceptable = acceptable
        self._memo: dict[tuple[Any, ...], _Memo] = {}

    def decide(self, subject: str, rows: Sequence[FactRow] = _NO_ROWS) -> tuple[Decision, str | None]:
        """The decision for the subject whose projection rows are `rows`, and the event it rests on."""
        key = tuple(row[:6] for row in rows)
        memo = self._memo.get(key)
        if memo is None:
            facts = facts_of(subject, self._purpose.id, rows)
            decision = decide(self._purpose, facts, self._data, None, self._acceptable)
            at = next((i for i, row in enumerate(rows) if row[6] == decision.consent_event_id), None)
            memo = self._memo[key] = (decision, at)
        decision, at = memo
        return decision, (rows[at][6] if at is not None else None)

    @property
    def distinct(self) -> int:
        return len(self._memo)


def decider_for(
    purpose: PurposePolicy, data: frozenset[str], acceptable: Mapping[str, frozenset[tuple[str, str]]]
) -> BatchDecider:
    return BatchDecider(purpose, data, acceptable.get(purpose.id, frozenset()))
