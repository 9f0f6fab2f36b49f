"""The pure fold from events to facts: the live path and `rebuild()` both use exactly this.

Rules: the last event touching a (purpose, recipient) key decides its fact. An event that ends
consent (refused, withdrawn, expired) without naming a recipient ends the whole purpose: the
purpose-wide fact and every recipient-specific fact already held for that purpose — withdrawing
must be as easy as giving (PIPL 15), not one recipient at a time. A consent given names exactly
one key.
"""

from __future__ import annotations

from collections.abc import Iterable

from consentgate.runtime.consent.schemas import ConsentEvent, ConsentFact, EventKind, FactKey, SubjectFacts


def touched_keys(facts: SubjectFacts, event: ConsentEvent) -> list[FactKey]:
    """The keys whose fact `event` decides, given the facts before it."""
    keys: list[FactKey] = [(event.purpose, event.recipient)]
    if event.recipient is None and event.kind is not EventKind.GIVEN:
        keys.extend(key for key in facts if key[0] == event.purpose and key[1] is not None)
    return keys


def _apply_into(facts: SubjectFacts, event: ConsentEvent) -> None:
    for purpose, recipient in touched_keys(facts, event):
        facts[purpose, recipient] = ConsentFact(
            subject=event.subject,
            purpose=purpose,
            recipient=recipient,
            status=event.kind,
            event_id=event.event_id,
            notice_id=event.notice_id,
            notice_version=event.notice_version,
            data=event.data,
            mechanism=event.mechanism,
            updated_at=event.occurred_at,
        )


def apply(facts: SubjectFacts, event: ConsentEvent) -> SubjectFacts:
    """The subject's facts after `event` (a new dict; `facts` is left as it was)."""
    updated = dict(facts)
    _apply_into(updated, event)
    return updated


def fold(events: Iterable[ConsentEvent]) -> dict[str, SubjectFacts]:
    """Every subject's facts after `events`, which must come in ledger order (`seq`)."""
    state: dict[str, SubjectFacts] = {}
    for event in events:
        _apply_into(state.setdefault(event.subject, {}), event)
    return state
