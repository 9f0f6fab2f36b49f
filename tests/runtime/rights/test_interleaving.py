"""Property: no interleaving of requests and normal processing releases data of an erased or restricted person.

Each example is a fresh person on one Engine: they consent to everything, then hypothesis draws a
sequence of steps — gate decisions, profile reads, transfers to a recipient, restrict, lift, withdraw
all, delete — and after every step the invariant is checked against a model of what should hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.sharing.fakes import InMemorySink
from tests.runtime.conftest import SEED_FIXED

_people = itertools.count()
# (purpose, data) pairs the gate is asked about: consent-based ones and a contract-necessity one.
REQUESTS = [
    ("marketing-sms", "phone"),
    ("personalized-push", "occupation"),
    ("certificates", "english-name"),
    ("online-courses", "phone"),
]
Step = tuple[str, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["decide", "read", "transfer", "restrict", "lift", "withdraw-all", "delete"]),
        st.integers(0, len(REQUESTS) - 1),
    ),
    min_size=1,
    max_size=8,
)


@dataclass
class World:
    engine: Engine
    sink: InMemorySink


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # One Engine for all examples (each example uses a fresh person), on SQLite: hypothesis runs many.
    url = f"sqlite:///{tmp_path_factory.mktemp('interleaving') / 'store.db'}"
    sink = InMemorySink()
    with Engine.from_manifest(
        SEED_FIXED,
        create=True,
        database_url=url,
        clock=FakeClock(),
        ids=SequentialIds("i"),
        sharing_sink=sink,
    ) as engine:
        yield World(engine, sink)


def _person(engine: Engine) -> str:
    person = f"p-{next(_people)}"
    engine.consent.register_subject(person)
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    version = {"notice_id": notice.notice_id, "notice_version": notice.version}
    push = engine.consent.give(person, "personalized-push", **version)
    engine.consent.give(person, "certificates", **version)
    engine.consent.give(person, "marketing-sms", **version)
    engine.consent.give(
        person, "share-affiliates", recipient="affiliate-app-a", mechanism=Mechanism.SEPARATE, **version
    )
    engine.profiles.set(person, "phone", "13900000000", purposes=["online-courses"], consent_event_id=None)
    engine.profiles.set(
        person, "occupation", "译员", purposes=["personalized-push"], consent_event_id=push.event_id
    )
    return person


def _fulfil(engine: Engine, person: str, kind: str) -> None:
    request = engine.rights.request(person, kind)
    engine.rights.verify_identity(request.request_id)
    engine.rights.fulfil(request.request_id)


def _released(world: World, person: str, step: Step) -> bool:
    """Carries out one processing step; True if any of the person's data left or was used."""
    action, index = step
    engine = world.engine
    try:
        if action == "decide":
            purpose, data = REQUESTS[index]
            return engine.gate.decide(person, purpose, data).allowed
        if action == "read":
            return bool(engine.profiles.read(person, REQUESTS[index][0]))
        sent = len(world.sink.deliveries)
        engine.sharing.transfer(person, "share-affiliates", "affiliate-app-a", ["phone"])
        return len(world.sink.deliveries) > sent
    except UnknownSubject:
        return False  # an erased person is unknown: nothing of them can be processed


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_no_interleaving_releases_data_of_an_erased_or_restricted_person(
    world: World, plan: list[Step]
) -> None:
    engine = world.engine
    person = _person(engine)
    erased = restricted = False
    for step in plan:
        action = step[0]
        if action in {"decide", "read", "transfer"}:
            released = _released(world, person, step)
            if erased or restricted:
                assert not released, (step, erased, restricted)
        elif erased:
            continue  # the person is gone: no request of theirs can be received any more
        elif action == "restrict":
            _fulfil(engine, person, "restrict")
            restricted = True
        elif action == "lift":
            engine.rights.lift_restriction(person)
            restricted = False
        elif action == "withdraw-all":
            _fulfil(engine, person, "withdraw-all")
        else:
            _fulfil(engine, person, "delete")
            erased = True
    if erased:
        with pytest.raises(UnknownSubject):
            engine.gate.decide(person, "online-courses", "phone")
