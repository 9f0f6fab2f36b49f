"""A bounded buffer: while the database cannot take records, memory stops at the cap and the gate
denies what it cannot record; when the database is back, every waiting record is written."""

from __future__ import annotations

import inspect
import threading
import time
import tracemalloc
from collections.abc import Callable

import pytest

from consentgate.runtime.auditlog import service as auditlog_service
from consentgate.runtime.auditlog.errors import DecisionNotRecorded
from consentgate.runtime.auditlog.schemas import DECISION_KIND
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.gate.decision import ReasonCode
from consentgate.runtime.gate.service import Gate
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from tests.runtime.auditlog.conftest import MakeLog, chain_locked, eventually, outage, write_changes
from tests.runtime.conftest import NOTICE, TENANT

CAP = 200
BATCH = 20


def test_a_full_buffer_makes_the_caller_wait_then_refuses(database: Database, make_log: MakeLog) -> None:
    log = make_log(batch_size=BATCH, flush_interval=0.01, max_pending=CAP, room_timeout=0.05)
    write_changes(database, log, 1)  # the head exists, so another writer can hold it
    taken = 0
    with chain_locked(database, "default"):
        started = time.monotonic()
        with pytest.raises(DecisionNotRecorded) as refused:
            while True:
                started = time.monotonic()
                log.record_decision({"n": taken})
                taken += 1
                assert taken <= CAP + BATCH, "took more than the buffer and one batch in flight"
        assert time.monotonic() - started >= 0.05  # it waited for room before refusing
        assert taken >= CAP
        assert refused.value.code == "auditlog.decision_not_recorded"
        assert "数据库" in refused.value.text.zh and "not released" in refused.value.text.en
        assert log.pending == taken
    assert eventually(lambda: log.pending == 0)
    assert [r.payload["n"] for r in log.records() if r.kind == DECISION_KIND] == list(range(taken))
    assert log.verify().ok


def test_a_waiting_caller_gets_in_as_soon_as_the_flusher_makes_room(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log(batch_size=BATCH, flush_interval=0.01, max_pending=CAP, room_timeout=120)
    write_changes(database, log, 1)
    waiting, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def late_decision() -> None:
        waiting.set()
        try:
            log.record_decision({"n": "late"})
        except BaseException as error:  # surfaced below
            errors.append(error)
        done.set()

    with chain_locked(database, "default"):
        log.room_timeout, taken = 0.05, 0
        with pytest.raises(DecisionNotRecorded):  # full: the flusher holds a batch it cannot write
            while True:
                log.record_decision({"n": taken})
                taken += 1
        log.room_timeout = 120
        caller = threading.Thread(target=late_decision)
        caller.start()
        assert waiting.wait(30)
        assert not done.wait(0.2)  # still blocked: the flusher cannot write while the lock is held
    assert done.wait(60)  # the lock went, a batch committed, room appeared
    caller.join()
    assert errors == []
    log.flush()
    assert [r.payload["n"] for r in log.records() if r.kind == DECISION_KIND] == [*range(taken), "late"]


def test_a_closed_log_refuses_decisions(make_log: MakeLog) -> None:
    log = make_log()
    log.close()
    with pytest.raises(DecisionNotRecorded):
        log.record_decision({"n": 1})
    assert log.pending == 0


def _lines(function: Callable[..., object]) -> range:
    lines, first = inspect.getsourcelines(function)
    return range(first, first + len(lines))


# Where a decision's place in the buffer is allocated: nothing else a test run allocates meanwhile
# (the failed flushes' tracebacks the log capture keeps, for one) counts.
_BUFFERING = [*_lines(AuditLog.record_decision), *_lines(AuditLog._wait_for_room)]


def _buffer_memory() -> int:
    """Bytes still held that `record_decision` allocated: the buffer's entries and deque blocks."""
    only = [tracemalloc.Filter(True, auditlog_service.__file__, lineno) for lineno in _BUFFERING]
    snapshot = tracemalloc.take_snapshot()
    return sum(sum(s.size for s in snapshot.filter_traces([f]).statistics("filename")) for f in only)


def test_while_the_database_is_down_the_gate_denies_what_it_cannot_record_and_memory_stays_bounded(
    database: Database,
    clock: FakeClock,
    ledger: ConsentLedger,
    notices: NoticeService,
    policy: Policy,
) -> None:
    log = AuditLog(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("decision"),
        batch_size=BATCH,
        flush_interval=0.02,
        max_pending=CAP,
        room_timeout=0.05,
    )
    gate = Gate(policy=policy, ledger=ledger, notices=notices, audit=log)
    ledger.register_subject("alice")
    ledger.give("alice", "marketing-sms", notice_id=NOTICE, notice_version="2024-01", data=("phone",))
    try:
        assert gate.decide("alice", "marketing-sms", "phone").allowed  # warm: later calls need no database
        log.flush()
        allowed = 1
        tracemalloc.start()
        try:
            with outage(database):
                while (decision := gate.decide("alice", "marketing-sms", "phone")).allowed:
                    allowed += 1
                    assert allowed <= CAP + BATCH + 1, "released more than the buffer can hold"
                assert decision.reason_code is ReasonCode.NOT_RECORDED
                assert decision.citations and "审计日志" in decision.message.zh
                full = _buffer_memory()
                denied = 0
                for _ in range(20 * CAP):
                    # A retry that takes a batch out of the buffer lets at most one batch more in.
                    if gate.decide("alice", "marketing-sms", "phone").allowed:
                        allowed += 1
                    else:
                        denied += 1
                    assert log.pending <= CAP + BATCH
                assert allowed <= CAP + 2 * BATCH + 1 and denied >= 20 * CAP - 2 * BATCH
                assert _buffer_memory() - full < 32_768  # 4,000 more calls, no more memory held
        finally:
            tracemalloc.stop()
        assert eventually(lambda: log.pending == 0)  # back: the flusher retries and writes them all
        assert gate.decide("alice", "marketing-sms", "phone").allowed
        log.flush()
    finally:
        log.close()
    decisions = [r for r in log.records(limit=10_000) if r.kind == DECISION_KIND]
    assert len(decisions) == allowed + 1  # every release that was allowed has its record
    report = log.verify()
    assert report.ok, report.problem
