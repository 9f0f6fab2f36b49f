"""One flusher thread per process serves every tenant's log, however many tenants there are."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import weakref
from pathlib import Path

from consentgate.runtime.auditlog._flusher import REGISTRY
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.runtime.auditlog.conftest import MakeLog, eventually, outage

TENANTS = 40


def _flusher_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "consentgate-auditlog"]


def _others() -> int:
    """Logs of earlier tests in this process that are still registered (none, once collected)."""
    gc.collect()
    return len(REGISTRY)


def test_many_tenants_share_one_flusher_thread(database: Database, make_log: MakeLog) -> None:
    others = _others()
    logs = [make_log(f"tenant-{n}", flush_interval=0.02) for n in range(TENANTS)]
    for n, log in enumerate(logs):
        log.record_decision({"tenant": n})
    assert len(_flusher_threads()) == 1
    assert len(REGISTRY) == others + TENANTS
    # Each partial batch is written by the one thread once its interval is up, no flush() called.
    assert eventually(lambda: all(log.pending == 0 for log in logs))
    assert all([r.payload["tenant"] for r in log.records()] == [n] for n, log in enumerate(logs))
    for log in logs:
        log.close()
    assert len(REGISTRY) == others
    if not others:
        assert _flusher_threads() == []  # the last log out stopped the thread


def test_a_log_dropped_without_close_leaves_the_registry_and_the_thread_stops(database: Database) -> None:
    others = _others()
    log = AuditLog(database, tenant="dropped", clock=FakeClock(), ids=SequentialIds())
    dropped = weakref.ref(log)
    assert len(REGISTRY) == others + 1
    del log
    gc.collect()
    assert dropped() is None  # neither the registry nor the thread kept it alive
    assert len(REGISTRY) == others
    if not others:
        assert eventually(lambda: _flusher_threads() == [])


def test_a_tenant_whose_database_is_down_does_not_stop_the_others(
    database: Database, make_log: MakeLog, tmp_path: Path
) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    try:
        down = make_log("down", flush_interval=0.02)
        up = make_log("up", db=other, flush_interval=0.02)
        with outage(database):
            down.record_decision({"n": 1})
            for n in range(3):
                up.record_decision({"n": n})
                assert eventually(lambda: up.pending == 0)  # written while the other keeps failing
            assert down.pending == 1
        assert eventually(lambda: down.pending == 0)
        up.close()
        assert [r.payload["n"] for r in up.records()] == [0, 1, 2]
    finally:
        other.dispose()


_FORKS = textwrap.dedent(
    """
    import os, sys, time
    from consentgate.runtime.auditlog.service import AuditLog
    from consentgate.runtime.ports import FakeClock, SequentialIds
    from consentgate.store.database import Database

    db = Database(sys.argv[1])
    log = AuditLog(db, tenant="forked", clock=FakeClock(), ids=SequentialIds(), flush_interval=60)
    log.record_decision({"from": "parent"})  # still waiting at the fork: the parent's to write
    child = os.fork()
    if child == 0:  # a pre-fork server's worker: it inherited the log, not the parent's thread
        db.engine.dispose(close=False)  # the parent's connections are not the child's to use
        log.flush_interval = 0.02
        log.record_decision({"from": "child"})
        deadline = time.monotonic() + 60
        while log.pending and time.monotonic() < deadline:
            time.sleep(0.01)  # written by the child's own flusher, no flush() called
        os._exit(0 if log.pending == 0 else 1)
    _, status = os.waitpid(child, 0)
    log.close()
    db.dispose()
    sys.exit(os.waitstatus_to_exitcode(status))
    """
)


def test_a_forked_worker_gets_a_flusher_of_its_own_and_not_the_parents_decisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'forked.db'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    subprocess.run([sys.executable, "-c", _FORKS, url], check=True, timeout=120)
    db = Database(url)
    try:
        log = AuditLog(db, tenant="forked", clock=FakeClock(), ids=SequentialIds())
        # Each decision once: the child did not write the parent's buffered one again.
        assert [r.payload["from"] for r in log.records()] == ["child", "parent"]
        log.close()
    finally:
        db.dispose()
