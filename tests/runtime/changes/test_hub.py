"""One change feed per process for every tenant, and a gate that fails closed when the feed does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from consentgate.runtime.changes.hub import ChangeHub, FeedState
from consentgate.runtime.changes.wakeups import Polled
from consentgate.runtime.engine import Engine
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.ports import SequentialIds
from tests.runtime.conftest import SEED_FIXED

PERSON = "zhao-liu"
WAIT = 30.0  # readiness deadline, never a latency target


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.005)


def _feed_threads() -> int:
    return sum(thread.name == "consentgate-changes" for thread in threading.enumerate())


def _give(engine: Engine) -> None:
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    engine.consent.give(PERSON, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version)


def _allowed(engine: Engine) -> bool:
    return engine.gate.decide(PERSON, "marketing-sms", "phone").allowed


def test_one_thread_and_one_listen_connection_serve_every_tenant(database_url: str) -> None:
    with Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url, tenant="t0") as first:
        engines = [Engine(first.loaded, first.database, tenant=f"t{i}") for i in range(1, 8)]
        try:
            assert _feed_threads() == 1 and first.change_hub.threads == 1
            assert {engine.change_hub for engine in engines} == {first.change_hub}
            if first.database.dialect == "postgresql":
                _until(lambda: first.change_hub.state is FeedState.LIVE, "the feed is live")
                with first.database.reading() as session:
                    listening = session.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name = 'consentgate-changes'"
                        )
                    )
                assert listening == 1
        finally:
            for engine in engines:
                engine.close()
        assert _feed_threads() == 1  # `first` is still open
    assert _feed_threads() == 0 and first.change_hub.state is FeedState.IDLE


class Switch(Polled):
    """A feed whose connection the test breaks and mends: polled every `wait`, failing while broken."""

    def __init__(self) -> None:
        super().__init__()
        self.broken = threading.Event()

    def connect(self) -> None:
        if self.broken.is_set():
            raise OSError("change feed unreachable")

    def wait(self, timeout: float) -> set[str] | None:
        super().wait(timeout)
        if self.broken.is_set():
            raise OSError("change feed connection lost")
        return None


@pytest.fixture
def pair(database_url: str) -> Iterator[tuple[Engine, Engine, Switch]]:
    """`a` writes; `b`'s gate is warm with an allow and its feed runs over a `Switch`."""
    switch = Switch()
    hub = ChangeHub(database_url, interval=0.005, retry=0.005, wakeups=lambda _url: switch)
    with (
        Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url, ids=SequentialIds("a")) as a,
        Engine(a.loaded, a.database.__class__(database_url), ids=SequentialIds("b"), changes=hub) as b,
    ):
        a.consent.register_subject(PERSON)
        _give(a)
        _until(lambda: _allowed(b), "b allows")
        _until(lambda: hub.state is FeedState.LIVE, "b's feed is live")
        yield a, b, switch


def test_a_lost_feed_connection_makes_the_gate_read_through_until_caught_up(
    pair: tuple[Engine, Engine, Switch],
) -> None:
    a, b, switch = pair
    switch.broken.set()
    _until(lambda: b.change_hub.state is FeedState.FAILED, "the feed fails")
    # The hub retries at once, so on a busy machine the reason may already be the failed reconnect's.
    assert not b.change_hub.trusted()
    assert any(why in b.change_hub.reason for why in ("connection lost", "unreachable")), b.change_hub.reason
    a.consent.withdraw(PERSON, "marketing-sms")  # b's feed cannot hear of it
    decision = b.gate.decide(PERSON, "marketing-sms", "phone")
    assert b.change_hub.state is FeedState.FAILED
    assert not decision.allowed and decision.reason_code is ReasonCode.WITHDRAWN
    _give(a)
    assert _allowed(b)  # read through: fresh facts in both directions
    switch.broken.clear()
    _until(lambda: b.change_hub.state is FeedState.LIVE, "the feed recovers")
    a.consent.withdraw(PERSON, "marketing-sms")
    _until(lambda: not _allowed(b), "b hears the withdrawal through the feed again")


def test_a_failed_journal_read_makes_the_next_decide_read_through(
    pair: tuple[Engine, Engine, Switch], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = pair
    failing = threading.Event()
    failing.set()
    after = b.changes.journal.after

    def read(*args: object, **kwargs: object) -> object:
        if failing.is_set():
            raise OperationalError("SELECT", {}, Exception("journal unreadable"))
        return after(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(b.changes.journal, "after", read)
    a.consent.withdraw(PERSON, "marketing-sms")  # b's feed sees the journal grow, and cannot read it
    _until(lambda: b.change_hub.state is FeedState.FAILED, "the read fails")
    assert not _allowed(b)
    failing.clear()
    _until(lambda: b.change_hub.state is FeedState.LIVE, "the feed recovers")
    assert not _allowed(b)


def test_when_the_database_cannot_answer_either_the_gate_denies_and_says_why(
    pair: tuple[Engine, Engine, Switch], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, b, switch = pair
    switch.broken.set()
    _until(lambda: b.change_hub.state is FeedState.FAILED, "the feed fails")

    def unreachable(subject: str) -> object:
        raise OperationalError("SELECT", {}, Exception("database down"))

    monkeypatch.setattr(b.consent, "standing", unreachable)
    decision = b.gate.decide(PERSON, "marketing-sms", "phone")
    assert not decision.allowed and decision.reason_code is ReasonCode.FACTS_UNAVAILABLE
    assert "cannot be confirmed" in decision.message.en and decision.citations


def test_a_feed_that_stops_catching_up_goes_stale_and_cached_allows_stop(database_url: str) -> None:
    """A stuck or dead feed thread cannot say so: the trust it gave runs out by itself."""
    hub = ChangeHub(database_url, background=False, stale_after=0.2)
    with (
        Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url, ids=SequentialIds("a")) as a,
        Engine(a.loaded, a.database.__class__(database_url), ids=SequentialIds("b"), changes=hub) as b,
    ):
        a.consent.register_subject(PERSON)
        _give(a)
        hub.poll()
        assert _allowed(b)  # cached now
        a.consent.withdraw(PERSON, "marketing-sms")  # b's feed never reads it: nothing runs
        _until(lambda: hub.state is FeedState.STALE, "the trust runs out")
        assert not _allowed(b)  # read through, not the cached allow
        hub.poll()
        assert not _allowed(b)


class Chatty(Polled):
    """Notifications that never stop: every wait returns at once, naming some other tenant."""

    def wait(self, timeout: float) -> set[str] | None:
        time.sleep(0.001)
        return {"some-other-tenant"}


def test_the_safety_poll_still_runs_while_notifications_keep_coming(database_url: str) -> None:
    """A busy database notifies all the time; the trust must still be renewed by full catch-ups."""
    hub = ChangeHub(database_url, interval=0.01, wakeups=lambda _url: Chatty())
    with (
        Engine.from_manifest(SEED_FIXED, create=True, database_url=database_url) as a,
        Engine(a.loaded, a.database.__class__(database_url), changes=hub),
    ):
        _until(lambda: hub.state is FeedState.LIVE, "the first catch-up")
        first = hub.trusted_until
        _until(lambda: hub.trusted_until > first, "a later full catch-up renews the trust")
