"""Two engines on one database stand for two processes: a change in one reaches the other's caches."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.changes.models import FactChangeRow
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.text import Text
from tests.runtime.conftest import SEED_FIXED

PERSON = "zhang-san"


@pytest.fixture
def pair(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """Engine `a` writes; engine `b` reads. `b`'s feed runs only when a test says so (no thread)."""
    with (
        Engine.from_manifest(
            SEED_FIXED, create=True, database_url=database_url, clock=FakeClock(), ids=SequentialIds("a")
        ) as a,
        Engine(
            a.loaded,
            a.database.__class__(database_url),
            clock=FakeClock(),
            ids=SequentialIds("b"),
            changes=ChangeHub(database_url, background=False, stale_after=3600),
        ) as b,
    ):
        a.consent.register_subject(PERSON)
        notice = a.notices.current("privacy-policy")
        assert notice is not None
        a.consent.give(PERSON, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version)
        b.change_hub.poll()
        yield a, b


def _allowed(engine: Engine) -> bool:
    return engine.gate.decide(PERSON, "marketing-sms", "phone").allowed


def test_a_withdrawal_elsewhere_reaches_the_cached_gate_at_the_next_poll(pair: tuple[Engine, Engine]) -> None:
    a, b = pair
    assert _allowed(b)  # cached in b now
    a.consent.withdraw(PERSON, "marketing-sms")
    assert _allowed(b)  # b has not heard yet: the bound is one poll interval
    assert b.change_hub.poll() == 1
    assert not _allowed(b)


def test_a_restriction_elsewhere_denies_every_purpose_after_the_next_poll(
    pair: tuple[Engine, Engine],
) -> None:
    a, b = pair
    assert _allowed(b)
    request = a.rights.request(PERSON, "restrict")
    a.rights.verify_identity(request.request_id)
    a.rights.fulfil(request.request_id)
    b.change_hub.poll()
    assert b.gate.decide(PERSON, "marketing-sms", "phone").reason_code is ReasonCode.RESTRICTED


def test_an_erasure_elsewhere_makes_the_person_unknown_after_the_next_poll(
    pair: tuple[Engine, Engine],
) -> None:
    a, b = pair
    assert _allowed(b)
    request = a.rights.request(PERSON, "delete")
    a.rights.verify_identity(request.request_id)
    a.rights.fulfil(request.request_id)
    b.change_hub.poll()
    with pytest.raises(UnknownSubject):
        b.gate.decide(PERSON, "marketing-sms", "phone")


def test_a_notice_published_elsewhere_is_seen_after_the_next_poll(pair: tuple[Engine, Engine]) -> None:
    a, b = pair
    current = b.notices.current("privacy-policy")
    assert current is not None
    a.notices.publish(
        "privacy-policy",
        "2099-01",
        text=Text(zh="新版", en="new"),
        purposes=current.purposes,
        data=current.data,
        recipients=current.recipients,
    )
    b.change_hub.poll()
    newest = b.notices.current("privacy-policy")
    assert newest is not None and newest.version == "2099-01"


def test_a_writer_does_not_hear_itself_and_the_journal_names_no_one(pair: tuple[Engine, Engine]) -> None:
    a, _ = pair
    assert a.change_hub.poll() == 0  # a's own changes reached a's caches at commit
    with a.database.reading() as session:
        refs = set(session.scalars(select(FactChangeRow.subject_ref)))
    assert PERSON not in refs and a.consent.ref(PERSON) in refs


def test_the_background_thread_applies_changes_without_being_asked(database_url: str) -> None:
    with (
        Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url, ids=SequentialIds("a")) as a,
        Engine(a.loaded, a.database.__class__(database_url), ids=SequentialIds("b")) as b,
    ):
        a.consent.register_subject(PERSON)
        notice = a.notices.current("privacy-policy")
        assert notice is not None
        a.consent.give(PERSON, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version)
        deadline = time.monotonic() + 10
        while not _allowed(b):
            assert time.monotonic() < deadline, "b never saw the consent"
            time.sleep(0.01)
        a.consent.withdraw(PERSON, "marketing-sms")
        while _allowed(b):
            assert time.monotonic() < deadline, "b never saw the withdrawal"
            time.sleep(0.01)
