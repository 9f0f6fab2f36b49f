"""Push fixtures: the seed app's real engine (ledger, gate, profiles) and a push service over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.push.fakes import InMemoryTransport
from consentgate.runtime.push.ports import PushTransport
from consentgate.runtime.push.schemas import Campaign, PushContent
from consentgate.runtime.push.service import PushService
from consentgate.store.database import Database
from consentgate.text import Text

SEED_FIXED = Path(__file__).parents[3] / "examples" / "seed-case" / "fixed.yaml"
TENANT = "seed-app"
PURPOSE = "personalized-push"
NOTICE = ("privacy-policy", "2024-01")


@dataclass(frozen=True)
class Person:
    """A demo subject and the choice they made about personalized push."""

    subject: str
    choice: str  # "given", "given-no-attributes", "refused", "withdrawn", "none"
    level: str | None = None

    @property
    def personalized(self) -> bool:
        return self.choice in {"given", "given-no-attributes"}


PEOPLE = (
    Person("u01", "given", "B1"),
    Person("u02", "refused"),
    Person("u03", "given", "C1"),
    Person("u04", "none"),
    Person("u05", "withdrawn", "A2"),
    Person("u06", "given", "A1"),
    Person("u07", "given-no-attributes"),
    Person("u08", "none"),
    Person("u09", "refused"),
    Person("u10", "given", "B2"),
)

CAMPAIGN = Campaign(
    campaign_id="week-12-lessons",
    title="Week 12 lessons",
    generic=PushContent(
        title=Text(zh="本周热门课程", en="This week's popular lessons"),
        body=Text(zh="看看大家都在学什么", en="See what everyone is learning"),
    ),
    personalized=PushContent(
        title=Text(zh="适合{english-level}水平的新课", en="New lessons for {english-level} learners"),
        body=Text(zh="按您的英语水平挑选", en="Picked for your English level"),
    ),
)


@pytest.fixture
def engine(database: Database, database_url: str, clock: FakeClock) -> Iterator[Engine]:
    engine = Engine.from_manifest(
        SEED_FIXED, create=True, database_url=database_url, tenant=TENANT, clock=clock, ids=SequentialIds("e")
    )
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture
def transport() -> InMemoryTransport:
    return InMemoryTransport()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_push(
    engine: Engine,
    transport: PushTransport,
    clock: FakeClock,
    sleeps: list[float],
    *,
    batch_size: int = 3,
    tenant: str = TENANT,
) -> PushService:
    def sleep(seconds: float) -> None:  # backoff on the fake clock: the attempt log shows the waits
        sleeps.append(seconds)
        clock.advance(seconds=seconds)

    return PushService(
        engine.database,
        tenant=tenant,
        clock=clock,
        ids=SequentialIds("push"),
        audit=engine.auditlog,
        policy=engine.policy,
        manifest=engine.manifest,
        notices=engine.notices,
        gate=engine.gate,
        profiles=engine.profiles,
        transport=transport,
        batch_size=batch_size,
        max_attempts=3,
        backoff=0.5,
        sleep=sleep,
        settings_url="app://settings/privacy?purpose={purpose}",
    )


@pytest.fixture
def push(engine: Engine, transport: InMemoryTransport, clock: FakeClock, sleeps: list[float]) -> PushService:
    return make_push(engine, transport, clock, sleeps)


def seed_people(engine: Engine, people: tuple[Person, ...] = PEOPLE) -> None:
    """Registers the people and records their choices through the real ledger and profile store."""
    engine.consent.register_subjects(p.subject for p in people)
    notice_id, version = NOTICE
    for person in people:
        if person.choice == "none":
            continue
        if person.choice == "refused":
            engine.consent.refuse(person.subject, PURPOSE, notice_id=notice_id, notice_version=version)
            continue
        given = engine.consent.give(person.subject, PURPOSE, notice_id=notice_id, notice_version=version)
        if person.level is not None:
            engine.profiles.set(
                person.subject,
                "english-level",
                person.level,
                purposes=[PURPOSE],
                consent_event_id=given.event_id,
            )
        if person.choice == "withdrawn":
            engine.consent.withdraw(person.subject, PURPOSE)
