"""A decision record carries the moment the decision was made, not the moment its batch was written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from consentgate.runtime.auditlog.schemas import DECISION_KIND
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.rights.gather import HoldingsGatherer
from consentgate.store.database import Database

FIXED = Path(__file__).parents[3] / "examples" / "seed-case" / "fixed.yaml"
DECIDED = datetime(2026, 1, 5, 9, 0, 0, 123456, tzinfo=UTC)


def test_a_decision_keeps_its_own_time_while_the_chain_keeps_the_append_time(database: Database) -> None:
    clock = FakeClock(DECIDED)
    log = AuditLog(database, tenant="default", clock=clock, ids=SequentialIds(), flush_interval=60)
    try:
        log.record_decision({"purpose": "p", "n": 1})
        clock.advance(minutes=5)
        log.record_decision({"purpose": "p", "n": 2})
        clock.advance(minutes=5)  # both are written ten and five minutes after they were made
        assert log.flush() == 2
    finally:
        log.close()
    first, second = log.records()
    assert (first.decided_at, second.decided_at) == (DECIDED, DECIDED.replace(minute=5))
    assert first.payload["decided_at"] == "2026-01-05T09:00:00.123456Z"  # hashed with the rest
    assert first.created_at == second.created_at == DECIDED.replace(minute=10)
    assert (first.at, second.at) == (first.decided_at, second.decided_at)
    assert log.verify().ok


def test_a_change_has_no_decision_time_and_is_dated_by_its_commit(database: Database) -> None:
    clock = FakeClock(DECIDED)
    log = AuditLog(database, tenant="default", clock=clock, ids=SequentialIds())
    try:
        with database.transaction() as session:
            log.record_change(session, "consent.given", {"purpose": "p"})
    finally:
        log.close()
    (change,) = log.records()
    assert change.decided_at is None and change.at == change.created_at == DECIDED


def test_the_copy_of_a_persons_data_shows_when_each_decision_was_made(database_url: str) -> None:
    clock = FakeClock(DECIDED)
    with Engine.from_manifest(FIXED, create=True, database_url=database_url, clock=clock) as engine:
        notice = engine.notices.current("privacy-policy")
        assert notice is not None
        engine.consent.register_subject("alice")
        engine.consent.give(
            "alice",
            "marketing-sms",
            notice_id=notice.notice_id,
            notice_version=notice.version,
            data=("phone",),
        )
        assert engine.gate.decide("alice", "marketing-sms", "phone").allowed
        clock.advance(hours=1)  # the batch is written an hour later
        engine.auditlog.flush()
        gatherer = HoldingsGatherer(
            db=engine.database,
            tenant=engine.tenant,
            clock=clock,
            manifest=engine.manifest,
            ledger=engine.consent,
            profiles=engine.profiles,
            transfers=engine.sharing,
            decisions=engine.auditlog,
        )
        holdings = gatherer.gather("alice")
        (decision,) = engine.auditlog.records_naming(engine.consent.ref("alice"), kind=DECISION_KIND)
    (released,) = next(s for s in holdings.sections if s.key == "decisions").rows
    assert released["at"] == DECIDED.isoformat()
    assert decision.created_at == DECIDED.replace(hour=10)
