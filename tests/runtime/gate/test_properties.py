"""Property tests: no sequence of consent events and notice publications yields processing without a
live consent on an acceptable notice version — and the cached gate always answers like the pure decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from consentgate.runtime.consent.projection import apply
from consentgate.runtime.consent.schemas import ConsentEvent, EventKind, Evidence, Mechanism, SubjectFacts
from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.gate.rules import decide
from consentgate.runtime.gate.service import Gate
from tests.runtime.gate.fakes import NOTICE, FakeAudit, variant_policy

# The seed app, with a sensitive item (separate consent, PIPL 29) and a basic function that also
# touches unnecessary data (contract necessity for part of a request, consent for the rest).
POLICY = variant_policy(
    ("  - id: english-name\n", "  - id: english-name\n    sensitive: true\n"),
    ("data: [phone, account-password, orders]", "data: [phone, account-password, orders, occupation]"),
)
PURPOSES = sorted(POLICY.purposes)
AT = datetime(2024, 1, 1, tzinfo=UTC)
SUBJECT = "alice"


def _queries() -> list[tuple[str, frozenset[str], str | None]]:
    """Every purpose x each recipient option x (each single item, the whole purpose, nothing)."""
    out: list[tuple[str, frozenset[str], str | None]] = []
    for purpose in PURPOSES:
        policy = POLICY.purposes[purpose]
        shapes = {frozenset(), policy.data} | {frozenset({d}) for d in policy.data}
        for recipient in [None, *sorted(policy.recipients)]:
            out.extend((purpose, data, recipient) for data in sorted(shapes, key=sorted))
    return out


QUERIES = _queries()


@dataclass(frozen=True)
class Record:
    purpose: str
    kind: EventKind
    recipient: str | None
    version: int  # index into the versions published so far
    data: tuple[str, ...]
    mechanism: Mechanism


@dataclass(frozen=True)
class Publish:
    material_for: frozenset[str]


Step = Record | Publish


@st.composite
def records(draw: st.DrawFn) -> Record:
    purpose = draw(st.sampled_from(PURPOSES))
    policy = POLICY.purposes[purpose]
    return Record(
        purpose=purpose,
        kind=draw(
            st.sampled_from([EventKind.GIVEN, EventKind.REFUSED, EventKind.WITHDRAWN, EventKind.EXPIRED])
        ),
        recipient=draw(st.sampled_from([None, *sorted(policy.recipients)])),
        version=draw(st.integers(min_value=0, max_value=5)),
        data=tuple(draw(st.lists(st.sampled_from(sorted(policy.data)), unique=True, max_size=3))),
        mechanism=draw(st.sampled_from(list(Mechanism))),
    )


steps = st.lists(
    st.one_of(records(), st.builds(Publish, st.frozensets(st.sampled_from(PURPOSES)))),
    max_size=14,
)


@dataclass
class Model:
    """The notice versions and the ledger as plain data, and the subscribers a real one would notify."""

    versions: list[str] = field(default_factory=lambda: ["v0"])
    acceptable: dict[str, frozenset[tuple[str, str]]] = field(
        default_factory=lambda: {p: frozenset({(NOTICE, "v0")}) for p in PURPOSES}
    )
    history: list[ConsentEvent] = field(default_factory=list)
    facts_now: SubjectFacts = field(default_factory=dict)
    fact_listeners: list[Callable[[str], None]] = field(default_factory=list)
    notice_listeners: list[Callable[[], None]] = field(default_factory=list)

    def step(self, step: Step) -> None:
        if isinstance(step, Publish):
            version = f"v{len(self.versions)}"
            self.versions.append(version)
            for purpose in PURPOSES:
                fresh = frozenset({(NOTICE, version)})
                self.acceptable[purpose] = (
                    fresh if purpose in step.material_for else self.acceptable[purpose] | fresh
                )
            for notify in self.notice_listeners:
                notify()
            return
        version = self.versions[min(step.version, len(self.versions) - 1)]
        event = ConsentEvent(
            event_id=f"ev-{len(self.history)}",
            seq=len(self.history),
            subject=SUBJECT,
            purpose=step.purpose,
            kind=step.kind,
            data=step.data,
            recipient=step.recipient,
            notice_id=NOTICE,
            notice_version=version,
            mechanism=step.mechanism,
            channel=None,
            evidence=Evidence(),
            occurred_at=AT,
        )
        self.history.append(event)
        self.facts_now = apply(self.facts_now, event)
        for listener in self.fact_listeners:
            listener(SUBJECT)


class _Notices:
    def __init__(self, model: Model) -> None:
        self.model = model

    def acceptable_versions(self) -> Mapping[str, frozenset[tuple[str, str]]]:
        return dict(self.model.acceptable)

    def subscribe(self, listener: Callable[[], None]) -> None:
        self.model.notice_listeners.append(listener)

    def invalidate(self) -> None:
        pass


class _Ledger:
    def __init__(self, model: Model) -> None:
        self.model = model

    def known_subject(self, subject: str) -> bool:
        return subject == SUBJECT

    def facts(self, subject: str) -> SubjectFacts:
        return dict(self.model.facts_now)

    def standing(self, subject: str) -> tuple[SubjectFacts, bool]:
        return self.facts(subject), False

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self.model.fact_listeners.append(listener)


def last_touching(history: list[ConsentEvent], purpose: str, recipient: str | None) -> ConsentEvent | None:
    """Scanning back: the latest event about this key (an ending without a recipient ends them all)."""
    for event in reversed(history):
        if event.purpose != purpose:
            continue
        if event.recipient == recipient or (event.recipient is None and event.kind is not EventKind.GIVEN):
            return event
    return None


def check(
    model: Model, purpose: str, data: frozenset[str], recipient: str | None, decision: Decision
) -> None:
    policy = POLICY.purposes[purpose]
    needed = data - policy.without_consent
    consent_based = bool(needed) or (not data and policy.needs_consent)
    if not consent_based:
        assert decision.allowed, (purpose, data, decision)
        assert decision.consent_event_id is None
        return
    sharing = policy.separate_for_recipients
    if sharing and recipient is None:
        assert not decision.allowed
        return
    event = last_touching(model.history, purpose, recipient if sharing else None)
    separate = sharing or bool(needed & policy.separate_for_data)
    live = (
        event is not None
        and event.kind is EventKind.GIVEN
        and (event.notice_id, event.notice_version) in model.acceptable[purpose]
        and (event.mechanism is Mechanism.SEPARATE or not separate)
        and (not event.data or needed <= set(event.data))
    )
    assert decision.allowed == live, (purpose, sorted(data), recipient, decision.reason_code, event)
    if live:
        assert event is not None
        assert decision.consent_event_id == event.event_id


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_sequence_allows_a_consent_purpose_without_live_consent_on_an_acceptable_version(
    sequence: list[Step],
) -> None:
    model = Model()
    for step in [*sequence, Publish(frozenset())]:
        model.step(step)
        for purpose, data, recipient in QUERIES:
            acceptable = model.acceptable[purpose]
            decision = decide(POLICY.purposes[purpose], model.facts_now, data, recipient, acceptable)
            check(model, purpose, data, recipient, decision)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_the_cached_gate_always_answers_like_the_pure_decision(sequence: list[Step]) -> None:
    model = Model()
    audit = FakeAudit()
    gate = Gate(policy=POLICY, ledger=_Ledger(model), notices=_Notices(model), audit=audit)
    for step in sequence:
        for purpose, data, recipient in QUERIES:  # warm the cache on the state before the step
            gate.decide(SUBJECT, purpose, data, recipient)
        model.step(step)
        for purpose, data, recipient in QUERIES:
            expected = decide(
                POLICY.purposes[purpose], model.facts_now, data, recipient, model.acceptable[purpose]
            )
            assert gate.decide(SUBJECT, purpose, data, recipient) == expected, (
                step,
                purpose,
                data,
                recipient,
            )
            assert gate.decide(SUBJECT, purpose, tuple(sorted(data)), recipient) == expected
