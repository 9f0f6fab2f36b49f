"""A real engine over the fixed seed app, and a feed built from its services over the demo lessons."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from consentgate.runtime.engine import Engine
from consentgate.runtime.feed.catalog import Catalog, load_catalog
from consentgate.runtime.feed.service import FeedService
from consentgate.runtime.ports import FakeClock, SequentialIds

ROOT = Path(__file__).parents[3]
FIXED = ROOT / "examples" / "seed-case" / "fixed.yaml"
LESSONS = ROOT / "examples" / "demo-app" / "lessons.yaml"
PURPOSE = "personalized-push"

Onboard = Callable[[str, Mapping[str, Any] | None], None]


@pytest.fixture(scope="session")
def lessons() -> Catalog:
    return load_catalog(LESSONS)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    with Engine.from_manifest(
        FIXED, create=True, database_url=database_url, clock=FakeClock(), ids=SequentialIds("e")
    ) as started:
        yield started


def build_feed(engine: Engine, catalog: Catalog, **options: Any) -> FeedService:
    """What the lead wires into `Engine` as `engine.feed`."""
    return FeedService(
        engine.database,
        tenant=engine.tenant,
        clock=engine.clock,
        ids=engine.ids,
        audit=engine.auditlog,
        manifest=engine.manifest,
        policy=engine.policy,
        ledger=engine.consent,
        notices=engine.notices,
        profiles=engine.profiles,
        gate=engine.gate,
        catalog=catalog,
        **options,
    )


@pytest.fixture
def feed(engine: Engine, lessons: Catalog) -> FeedService:
    return build_feed(engine, lessons)


@pytest.fixture
def onboard(engine: Engine) -> Onboard:
    """Walks a subject through onboarding: the questionnaire gets `answers` and its consent box ticked
    (None: skipped). Only the tick consents; the answers alone would not be kept."""

    def walk(subject: str, answers: Mapping[str, Any] | None) -> None:
        screen = engine.onboarding.next_screen(subject)
        for _ in range(10):
            if screen.is_home:
                return
            screen_id = screen.screen_id or ""
            if screen_id == "login":
                screen = engine.onboarding.submit(
                    subject, screen_id, {"phone": "13800000000", "account-password": "secret"}
                )
            elif screen_id == "questionnaire" and answers is not None:
                screen = engine.onboarding.submit(subject, screen_id, {**answers, f"consent:{PURPOSE}": True})
            else:
                screen = engine.onboarding.skip(subject, screen_id)
        raise AssertionError("onboarding must reach home")

    return walk
