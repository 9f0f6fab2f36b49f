"""Property tests: no sequence of consent events and notice publications yields processing without a
live consent on an acceptable notice version.

The pure decision is checked over a model of the ledger; the cached gate over the real ledger, notice
service and audit log on SQLite, where each example is a fresh tenant in one database (hypothesis runs
many examples, and a database per example would be slow). There the gate must also answer exactly like
the pure decision over the facts the ledger holds.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from consentgate.errors import ConsentgateError
from consentgate.runtime.consent.projection import apply
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    EventKind,
    Mechanism,
    NewConsentEvent,
    SubjectFacts,
)
from consentgate.runtime.engine import Engine
from consentgate.runtime.gate.decision import Decision
from consentgate.runtime.gate.rules import decide
from consentgate.runtime.policy import compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.runtime.conftest import publish_notice
from tests.runtime.gate.facts import NOTICE, variant_manifest

# The seed app, with a sensitive item (separate consent, PIPL 29) and a basic function that also
# touches unnecessary data (contract necessity for part of a request, consent for the rest).
VARIANT = variant_manifest(
    ("  - id: english-name\n", "  - id: english-name\n    sensitive: true\n"),
    ("data: [phone, account-password, orders]", "data: [phone, account-password, orders, occupation]"),
)
POLICY = compile_policy(VARIANT.manifest)
PURPOSES = sorted(POLICY.purposes)
AT = datetime(2024, 1, 1, tzinfo=UTC)
SUBJECT = "alice"
_NONE: frozenset[tuple[str, str]] = frozenset()


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

    def new_event(self, versions: list[str]) -> NewConsentEvent:
        """The event this step records, on the version it names (the latest where that is not out yet)."""
        return NewConsentEvent(
            subject=SUBJECT,
            purpose=self.purpose,
            kind=self.kind,
            data=self.data,
            recipient=self.recipient,
            notice_id=NOTICE,
            notice_version=versions[min(self.version, len(versions) - 1)],
            mechanism=self.mechanism,
        )


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


def _given(
    purpose: str, *, recipient: str | None = None, mechanism: Mechanism = Mechanism.SEPARATE
) -> Record:
    return Record(purpose, EventKind.GIVEN, recipient, 0, (), mechanism)


# Sequences random drawing reaches rarely, run every time: a withdrawal without a recipient ends each
# recipient's separate consent; a material notice change ends consents on earlier versions; a consent
# for sensitive data must be separate; and one naming an item covers only that item.
KNOWN_HARD = [
    [
        _given("share-affiliates", recipient="affiliate-app-a"),
        Record("share-affiliates", EventKind.WITHDRAWN, None, 0, (), Mechanism.SETTINGS),
    ],
    [_given("personalized-push"), Publish(frozenset({"personalized-push"}))],
    [_given("certificates", mechanism=Mechanism.IN_FLOW)],
    [Record("personalized-push", EventKind.GIVEN, None, 0, ("occupation",), Mechanism.IN_FLOW)],
]


def known_hard(test: Callable[..., None]) -> Callable[..., None]:
    for sequence in KNOWN_HARD:
        test = example(sequence=sequence)(test)
    return test


@dataclass
class Model:
    """The notice versions and the ledger as plain data."""

    versions: list[str] = field(default_factory=lambda: ["v0"])
    acceptable: dict[str, frozenset[tuple[str, str]]] = field(
        default_factory=lambda: {p: frozenset({(NOTICE, "v0")}) for p in PURPOSES}
    )
    history: list[ConsentEvent] = field(default_factory=list)
    facts_now: SubjectFacts = field(default_factory=dict)

    def step(self, step: Step) -> None:
        if isinstance(step, Publish):
            version = f"v{len(self.versions)}"
            self.versions.append(version)
            for purpose in PURPOSES:
                fresh = frozenset({(NOTICE, version)})
                self.acceptable[purpose] = (
                    fresh if purpose in step.material_for else self.acceptable[purpose] | fresh
                )
            return
        new = step.new_event(self.versions)
        event = ConsentEvent(
            event_id=f"ev-{len(self.history)}",
            seq=len(self.history),
            occurred_at=AT,
            **{f.name: getattr(new, f.name) for f in fields(new)},
        )
        self.history.append(event)
        self.facts_now = apply(self.facts_now, event)


def last_touching(history: list[ConsentEvent], purpose: str, recipient: str | None) -> ConsentEvent | None:
    """Scanning back: the latest event about this key (an ending without a recipient ends them all)."""
    for event in reversed(history):
        if event.purpose != purpose:
            continue
        if event.recipient == recipient or (event.recipient is None and event.kind is not EventKind.GIVEN):
            return event
    return None


def check(
    history: list[ConsentEvent],
    acceptable: Mapping[str, frozenset[tuple[str, str]]],
    purpose: str,
    data: frozenset[str],
    recipient: str | None,
    decision: Decision,
) -> None:
    """Allowed exactly when no consent is needed, or the latest event about the key gave a consent that
    covers the data, by the mechanism the law asks for, on a notice version still acceptable."""
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
    event = last_touching(history, purpose, recipient if sharing else None)
    separate = sharing or bool(needed & policy.separate_for_data)
    live = (
        event is not None
        and event.kind is EventKind.GIVEN
        and (event.notice_id, event.notice_version) in acceptable.get(purpose, frozenset())
        and (event.mechanism is Mechanism.SEPARATE or not separate)
        and (not event.data or needed <= set(event.data))
    )
    assert decision.allowed == live, (purpose, sorted(data), recipient, decision.reason_code, event)
    if live:
        assert event is not None
        assert decision.consent_event_id == event.event_id


@settings(max_examples=300, deadline=None)
@known_hard
@given(sequence=steps)
def test_no_sequence_allows_a_consent_purpose_without_live_consent_on_an_acceptable_version(
    sequence: list[Step],
) -> None:
    model = Model()
    for step in [*sequence, Publish(frozenset())]:
        model.step(step)
        for purpose, data, recipient in QUERIES:
            acceptable = model.acceptable[purpose]
            decision = decide(POLICY.purposes[purpose], model.facts_now, data, recipient, acceptable)
            check(model.history, model.acceptable, purpose, data, recipient, decision)


# The cached gate over the real components.


@dataclass
class Tenant:
    """A fresh tenant's engine (its real ledger, notice service, gate and audit log) and what it accepted."""

    engine: Engine
    versions: list[str]  # the privacy policy's versions, in publication order
    history: list[ConsentEvent] = field(default_factory=list)  # the events the ledger accepted

    def step(self, step: Step) -> None:
        """Commits the step through the real ledger or notice service; an event the ledger refuses
        (consent on a version no longer acceptable, a purpose needing no consent) is not history."""
        if isinstance(step, Publish):
            version = f"v{len(self.versions)}"
            self.versions.append(version)
            # Leaving out a purpose's data or recipients is a material change for it.
            leave_out = frozenset(
                item
                for p in step.material_for
                for item in POLICY.purposes[p].data | POLICY.purposes[p].recipients
            )
            publish_notice(self.engine.notices, POLICY, version, leave_out=leave_out, wording=version)
            return
        with suppress(ConsentgateError):
            self.history.append(self.engine.consent.record(step.new_event(self.versions)))


_tenants = itertools.count()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('gate-properties') / 'store.db'}")
    upgrade(database)
    try:
        yield database
    finally:
        database.dispose()


@contextmanager
def fresh_tenant(database: Database) -> Iterator[Tenant]:
    """A new tenant's engine over the shared database, with SUBJECT registered."""
    tenant = f"t{next(_tenants)}"
    with Engine(VARIANT, database, tenant=tenant, clock=FakeClock(), ids=SequentialIds(tenant)) as engine:
        engine.consent.register_subject(SUBJECT)
        current = engine.notices.current(NOTICE)
        assert current is not None
        yield Tenant(engine, [current.version])


@settings(max_examples=40, deadline=None)
@known_hard
@given(sequence=steps)
def test_no_sequence_of_committed_events_makes_the_cached_gate_allow_without_live_consent(
    store: Database, sequence: list[Step]
) -> None:
    with fresh_tenant(store) as real:
        for step in sequence:
            for purpose, data, recipient in QUERIES:  # warm the cache on the state before the step
                real.engine.gate.decide(SUBJECT, purpose, data, recipient)
            real.step(step)
            acceptable = real.engine.notices.acceptable_versions()
            facts = real.engine.consent.facts(SUBJECT)
            for purpose, data, recipient in QUERIES:
                decision = real.engine.gate.decide(SUBJECT, purpose, data, recipient)
                check(real.history, acceptable, purpose, data, recipient, decision)
                pure = decide(
                    POLICY.purposes[purpose], facts, data, recipient, acceptable.get(purpose, _NONE)
                )
                assert decision == pure, (step, purpose, data, recipient)
