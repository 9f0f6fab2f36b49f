"""What a submitted or skipped screen decides, before anything is written (pure, like `flow.py`).

Consent is only ever an explicit act (PIPL 14, 16): a ticked box gives consent for its one purpose
(and one recipient), and nothing else does — not a filled field, not an unticked box, not skipping or
continuing. An answer to an optional field is kept only when a consent for one of its purposes is
live: given before, or by a box ticked in this same submit; otherwise it is dropped, never stored.

A box shown and left unticked records a refusal of its purpose (and recipient), so the ledger shows
the person was asked and said no; a refusal never overrides a consent given earlier, and a question
already refused is not refused twice. Leaving a field empty or dropping its answer records nothing in
the ledger: the box beside it is where the person decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from consentgate.runtime.consent.schemas import EventKind, Evidence, NewConsentEvent, SubjectFacts
from consentgate.runtime.onboarding.errors import RequiredFieldMissing
from consentgate.runtime.onboarding.flow import (
    BoxPlan,
    FieldPlan,
    Live,
    Progress,
    ScreenPlan,
    given,
    kept_as_is,
    open_fields,
    shown_boxes,
)
from consentgate.runtime.onboarding.schemas import NoticeRef


@dataclass(frozen=True)
class Kept:
    """An answer that is stored, and the purposes it is stored for (those it may lawfully serve now)."""

    field: FieldPlan
    purposes: tuple[str, ...]
    consent_purpose: str | None  # the purpose whose consent it rests on (None for necessary data)
    prior_event_id: str | None  # that consent's event when it was given before this submit


@dataclass(frozen=True)
class Outcome:
    kept: tuple[Kept, ...]
    dropped: tuple[str, ...]  # answered, but no consent is live for the purpose: not stored
    accepted: tuple[BoxPlan, ...]
    refused: tuple[str, ...]  # questions closed without a kept answer or a tick
    events: tuple[NewConsentEvent, ...]


def ticked(plan: ScreenPlan, values: Mapping[str, Any]) -> tuple[BoxPlan, ...]:
    """Only `True` ticks a box: a string, a 1, anything else is not an explicit yes."""
    return tuple(b for b in plan.boxes if values.get(b.box_id) is True)


def plan_submit(
    plan: ScreenPlan,
    progress: Progress,
    values: Mapping[str, Any],
    facts: SubjectFacts,
    live: Live,
    *,
    subject: str,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> Outcome:
    fields = open_fields(plan, progress)
    missing = [f.data_id for f in fields if f.required and not given(values.get(f.data_id))]
    if missing:
        raise RequiredFieldMissing.from_key(
            "runtime.required_missing", screen=plan.screen_id, data=", ".join(missing)
        )
    shown = shown_boxes(plan, progress, live)
    accepted = tuple(b for b in ticked(plan, values) if b.ask is not None)
    now = {b.key for b in accepted}
    kept, dropped = [], []
    for f in plan.fields:
        if not given(values.get(f.data_id)):
            continue
        answer = _keep(plan, f, live, now, facts)
        if answer is None:
            dropped.append(f.data_id)
        else:
            kept.append(answer)
    events = _events(subject, _gives(accepted, facts), EventKind.GIVEN, notice, evidence)
    refusing = [b for b in shown if b.ask is not None and b.key not in now and _may_refuse(b, facts)]
    events += _events(subject, {b: list(b.data) for b in refusing}, EventKind.REFUSED, notice, evidence)
    closed = {k.field.data_id for k in kept} | {b.box_id for b in ticked(plan, values)}
    refused = [f.data_id for f in fields if f.data_id not in closed]
    refused += [b.box_id for b in shown if b.box_id not in closed]
    return Outcome(tuple(kept), tuple(dropped), ticked(plan, values), tuple(refused), tuple(events))


def plan_skip(
    plan: ScreenPlan,
    progress: Progress,
    facts: SubjectFacts,
    live: Live,
    *,
    subject: str,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> Outcome:
    """Skipping closes every open optional question unanswered; necessary data cannot be skipped."""
    return plan_submit(plan, progress, {}, facts, live, subject=subject, notice=notice, evidence=evidence)


def _keep(
    plan: ScreenPlan,
    f: FieldPlan,
    live: Live,
    now: set[tuple[str, str | None]],
    facts: SubjectFacts,
) -> Kept | None:
    if not f.asks:
        return Kept(f, f.purposes, None, None)
    consenting = [a.purpose for a in f.asks if any((a.purpose, r) in now for r in a.recipients)]
    before = [a.purpose for a in f.asks if any(live(a.purpose, r, f.data_id) for r in a.recipients)]
    if not consenting and not kept_as_is(plan, f, live):
        return None
    asked = {a.purpose for a in f.asks}
    # Stored for what it may serve: purposes without a consent need, and those consented to.
    purposes = tuple(p for p in f.purposes if p not in asked or p in consenting or p in before)
    if consenting:
        return Kept(f, purposes, consenting[0], None)
    fact = next(
        (v for (purpose, _), v in facts.items() if purpose == before[0] and v.status is EventKind.GIVEN), None
    )
    return Kept(f, purposes, before[0], fact.event_id if fact else None)


def _gives(accepted: Iterable[BoxPlan], facts: SubjectFacts) -> dict[BoxPlan, list[str]]:
    """Per ticked box, the data the consent covers: a new tick widens a live consent, never narrows it.

    A live consent with no data list covers all the purpose's data and stays that way.
    """
    gives: dict[BoxPlan, list[str]] = {}
    for box in accepted:
        data = list(box.data)
        fact = facts.get(box.key)
        if fact is not None and fact.status is EventKind.GIVEN:
            data = [] if not fact.data else [*fact.data, *data]
        gives[box] = data
    return gives


def _may_refuse(box: BoxPlan, facts: SubjectFacts) -> bool:
    """Declining once more must not act as a withdrawal, nor repeat a refusal already on record."""
    fact = facts.get(box.key)
    return fact is None or fact.status not in {EventKind.GIVEN, EventKind.REFUSED}


def _events(
    subject: str,
    boxes: Mapping[BoxPlan, list[str]],
    kind: EventKind,
    notice: NoticeRef | None,
    evidence: Evidence,
) -> list[NewConsentEvent]:
    return [
        NewConsentEvent(
            subject=subject,
            purpose=box.purpose,
            kind=kind,
            data=tuple(dict.fromkeys(data)),
            recipient=box.recipient,
            notice_id=notice.notice_id if notice else None,
            notice_version=notice.version if notice else None,
            mechanism=box.ask.mechanism,
            evidence=evidence,
        )
        for box, data in boxes.items()
        if box.ask is not None
    ]
