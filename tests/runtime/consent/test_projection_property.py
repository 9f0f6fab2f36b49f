"""For any sequence of give, refuse and withdraw: projection == rebuild == the pure fold."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentgate.runtime.consent.projection import apply, fold
from consentgate.runtime.consent.schemas import EventKind, NewConsentEvent, SubjectFacts
from consentgate.runtime.consent.service import ConsentLedger

from .conftest import NOTICE

SUBJECTS = ("p1", "p2", "p3")
# Purpose, and the recipients a consent for it may name (None: the purpose as a whole).
TARGETS = (
    ("personalized-push", None),
    ("marketing-sms", None),
    ("share-affiliates", "affiliate-app-a"),
    ("share-affiliates", "affiliate-app-b"),
    ("share-affiliates", None),
)
KINDS = (EventKind.GIVEN, EventKind.REFUSED, EventKind.WITHDRAWN)

steps = st.lists(
    st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(TARGETS), st.sampled_from(KINDS), st.booleans()),
    min_size=1,
    max_size=25,
)
_run = itertools.count()
Step = tuple[str, tuple[str, str | None], EventKind, bool]  # subject, target, kind, batched


def _event(subject: str, target: tuple[str, str | None], kind: EventKind) -> NewConsentEvent:
    purpose, recipient = target
    notice = (NOTICE, "2024-01") if kind is EventKind.GIVEN else (None, None)
    return NewConsentEvent(
        subject=subject,
        purpose=purpose,
        kind=kind,
        recipient=recipient,
        notice_id=notice[0],
        notice_version=notice[1],
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_projection_equals_rebuild_equals_fold(ledger: ConsentLedger, steps: list[Step]) -> None:
    # Each example writes to subjects of its own, on the same database as earlier examples.
    run = next(_run)
    subjects = [f"{s}-{run}" for s in SUBJECTS]
    ledger.register_subjects(subjects)
    batch: list[NewConsentEvent] = []
    for subject, target, kind, batched in steps:
        event = _event(f"{subject}-{run}", target, kind)
        if batched:
            batch.append(event)  # some go through record_many, some through record
        else:
            ledger.record_many(batch)
            batch = []
            ledger.record(event)
    ledger.record_many(batch)

    events = ledger.events()
    folded = fold(events)
    live = ledger.projection()
    assert live == folded
    # The fold is `apply` step by step, and a subject's facts depend only on its own events.
    for subject in subjects:
        one: SubjectFacts = {}
        for recorded in (e for e in events if e.subject == subject):
            one = apply(one, recorded)
        assert folded.get(subject, {}) == one
        # No fact is live unless the last event on its key gave consent.
        for key, fact in one.items():
            deciding = [e for e in events if e.event_id == fact.event_id]
            assert fact.live == (deciding[0].kind is EventKind.GIVEN)
            assert key[0] == deciding[0].purpose
    assert ledger.rebuild() == len(events)
    assert ledger.projection() == live
