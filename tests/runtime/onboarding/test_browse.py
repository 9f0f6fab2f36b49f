"""Browse-only mode (「仅浏览」): refusing the notice leaves no account, no record and no data behind.

The notice screen is shown before anybody is registered; browsing gets the feed's non-personalized
ranking, which takes no person; agreeing later registers the person and onboarding goes on as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consentgate.manifest.models import Manifest, ScreenAction
from consentgate.runtime.auditlog.models import AuditRecordRow
from consentgate.runtime.consent.models import SubjectRow
from consentgate.runtime.engine import Engine
from consentgate.runtime.onboarding.errors import NoBrowseMode
from consentgate.runtime.ports import FakeClock, SequentialIds
from tests.runtime.onboarding.conftest import FIXED, LOGIN, engine_over, fixed_manifest

LESSONS = Path(__file__).parents[3] / "examples" / "demo-app" / "lessons.yaml"


@pytest.fixture
def with_feed(database_url: str) -> Iterator[Engine]:
    with Engine.from_manifest(
        FIXED,
        create=True,
        database_url=database_url,
        clock=FakeClock(),
        ids=SequentialIds("e"),
        catalog=LESSONS,
    ) as started:
        yield started


def footprint(engine: Engine) -> tuple[int, int, int]:
    """Subjects, consent events and audit records: what a visitor who did not agree must not add to."""
    engine.auditlog.flush()
    with engine.database.reading() as session:
        subjects = session.scalar(select(func.count()).select_from(SubjectRow)) or 0
        records = session.scalar(select(func.count()).select_from(AuditRecordRow)) or 0
    return subjects, len(engine.consent.events()), records


def test_the_notice_screen_is_shown_to_nobody_in_particular_and_offers_browse(with_feed: Engine) -> None:
    before = footprint(with_feed)
    welcome = with_feed.onboarding.welcome()
    assert welcome.screen_id == "welcome" and welcome.fields == () and welcome.consent_boxes == ()
    assert welcome.notice is not None and welcome.notice.version == "2024-01"
    assert {ScreenAction.AGREE, ScreenAction.BROWSE} <= set(welcome.actions)
    assert footprint(with_feed) == before


def test_browsing_registers_nobody_and_shows_the_same_non_personalized_feed_to_all(with_feed: Engine) -> None:
    before = footprint(with_feed)
    mode = with_feed.onboarding.browse()
    assert mode.agree_screen_id == "welcome"
    page = with_feed.feed.browse(limit=5)
    assert not page.personalized and len(page.items) == 5
    assert all(not item.matched for item in page.items)
    assert [i.item.id for i in with_feed.feed.browse(limit=5).items] == [i.item.id for i in page.items]
    assert footprint(with_feed) == before


def test_agreeing_later_registers_the_person_and_goes_on_with_onboarding(with_feed: Engine) -> None:
    with_feed.onboarding.browse()
    subjects, _, _ = footprint(with_feed)
    mode = with_feed.onboarding.browse()
    login = with_feed.onboarding.submit("new-person", mode.agree_screen_id, {})
    assert login.screen_id == "login"
    assert with_feed.consent.known_subject("new-person")
    assert footprint(with_feed)[0] == subjects + 1
    assert with_feed.onboarding.submit("new-person", "login", LOGIN).screen_id == "questionnaire"


def test_a_manifest_without_a_notice_screen_has_no_browse_mode(database_url: str, tmp_path: Path) -> None:
    document = fixed_manifest().model_dump(mode="json", by_alias=True)
    document["onboarding"] = document["onboarding"][1:]  # no screen that only shows the notice
    with engine_over(Manifest.model_validate(document), database_url, tmp_path) as engine:
        with pytest.raises(NoBrowseMode) as error:
            engine.onboarding.browse()
        assert error.value.text.zh and error.value.text.en
