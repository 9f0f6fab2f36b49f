"""Decisions are buffered and written in batches: by size, by time, on flush() and on close()."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import event

from consentgate.runtime.auditlog._flusher import REGISTRY
from consentgate.runtime.auditlog.repository import AuditRepository
from consentgate.store.database import Database
from tests.runtime.auditlog.conftest import MakeLog


def _eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


def test_record_decision_only_buffers(database: Database, make_log: MakeLog) -> None:
    log = make_log(batch_size=1000, flush_interval=60)
    for n in range(5):
        log.record_decision({"n": n})
    assert log.pending == 5
    assert log.records() == []


def test_the_flusher_writes_a_full_batch_without_waiting_for_the_interval(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log(batch_size=5, flush_interval=60)
    for n in range(3):
        log.record_decision({"n": n})
    time.sleep(0.1)
    assert log.pending == 3  # below the batch size and long before the interval: still waiting
    for n in range(3, 5):
        log.record_decision({"n": n})
    assert _eventually(lambda: log.pending == 0 and len(log.records()) == 5)
    assert [r.payload["n"] for r in log.records()] == [0, 1, 2, 3, 4]
    assert log.verify().ok


def test_the_flusher_writes_a_partial_batch_once_the_interval_is_up(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log(batch_size=1000, flush_interval=0.05)
    for n in range(3):
        log.record_decision({"n": n})
    assert _eventually(lambda: log.pending == 0 and len(log.records()) == 3)
    assert log.verify().ok


def test_close_flushes_what_is_waiting_and_leaves_the_shared_flusher(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log(batch_size=1000, flush_interval=60)
    for n in range(7):
        log.record_decision({"n": n})
    assert REGISTRY.thread is not None and REGISTRY.thread.is_alive()
    log.close()
    assert log.pending == 0
    assert [r.payload["n"] for r in log.records()] == list(range(7))
    assert len(REGISTRY) == 0 and REGISTRY.thread is None  # the last log out stopped the thread
    log.close()  # a second close is harmless


def test_flush_writes_one_transaction_per_batch(database: Database, make_log: MakeLog) -> None:
    log = make_log(batch_size=4, flush_interval=60)
    for n in range(10):
        log.record_decision({"n": n})
    commits: list[object] = []
    listener = commits.append
    event.listen(database.engine, "commit", listener)
    try:
        assert log.flush() == 10
    finally:
        event.remove(database.engine, "commit", listener)
    assert len(commits) == 3  # 4 + 4 + 2
    assert [r.seq for r in log.records()] == list(range(1, 11))


def test_a_failed_flush_puts_the_decisions_back_in_order(
    database: Database, make_log: MakeLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = make_log(batch_size=10, flush_interval=60)  # the background thread stays idle
    for n in range(5):
        log.record_decision({"n": n})
    real_append = AuditRepository.append
    calls = {"n": 0}

    def append_failing_once(self: AuditRepository, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        real_append(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditRepository, "append", append_failing_once)
    with pytest.raises(RuntimeError):
        log.flush()
    assert log.pending == 5
    assert log.records() == []
    log.record_decision({"n": 5})  # arrives after the failure: must queue behind the restored ones
    assert log.flush() == 6
    assert [r.payload["n"] for r in log.records()] == [0, 1, 2, 3, 4, 5]
    assert log.verify().ok
