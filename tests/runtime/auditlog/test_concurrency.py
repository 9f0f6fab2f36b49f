"""Many writers, one chain: threads on one engine, separate engines, separate processes, and SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.store.database import Database
from tests.runtime.auditlog.conftest import MakeLog, write_changes

THREADS = 6
EACH = 15


def _run_all(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_threads_writing_changes_and_decisions_keep_one_chain(database: Database, make_log: MakeLog) -> None:
    log = make_log(batch_size=5, flush_interval=0.01)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(EACH):
                with database.transaction() as session:
                    log.record_change(session, "consent.given", {"worker": worker, "n": n})
                log.record_decision({"worker": worker, "n": n})
        except BaseException as error:  # surfaced below: a thread's failure must fail the test
            errors.append(error)

    _run_all([threading.Thread(target=work, args=(w,)) for w in range(THREADS)])
    log.close()
    assert errors == []
    report = log.verify()
    assert report.ok, report.problem
    assert report.records_checked == 2 * THREADS * EACH


def test_separate_engines_keep_one_chain(database: Database, make_log: MakeLog) -> None:
    """Each writer has its own Database (engine and pool), as separate processes would."""
    databases = [Database(database.url) for _ in range(3)]
    logs = [make_log(db=db, batch_size=4, flush_interval=0.01) for db in databases]
    errors: list[BaseException] = []

    def work(db: Database, log: AuditLog) -> None:
        try:
            write_changes(db, log, EACH)
            for n in range(EACH):
                log.record_decision({"n": n})
            log.close()
        except BaseException as error:
            errors.append(error)

    try:
        _run_all([threading.Thread(target=work, args=pair) for pair in zip(databases, logs, strict=True)])
    finally:
        for db in databases:
            db.dispose()
    assert errors == []
    report = make_log().verify()
    assert report.ok, report.problem
    assert report.records_checked == 3 * 2 * EACH


_WRITER = textwrap.dedent(
    """
    import sys
    from consentgate.runtime.auditlog.service import AuditLog
    from consentgate.runtime.ports import SystemClock, Uuid7Ids
    from consentgate.store.database import Database

    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = Database(url)
    log = AuditLog(db, tenant="default", clock=SystemClock(), ids=Uuid7Ids(), batch_size=7, flush_interval=0.005)
    for n in range(count):
        with db.transaction() as session:
            log.record_change(session, "consent.given", {"writer": name, "n": n})
        # Acknowledged only after the commit: the parent trusts exactly these lines.
        print(f"ack {name} {n}", flush=True)
        log.record_decision({"writer": name, "n": n})
    log.close()
    """
)


def _writer(url: str, name: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, url, name, str(count)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
    )


def test_separate_processes_keep_one_chain(database: Database, make_log: MakeLog) -> None:
    writers = [_writer(database.url, f"p{n}", 20) for n in range(3)]
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0
        assert out.count("ack") == 20
    report = make_log().verify()
    assert report.ok, report.problem
    assert report.records_checked == 3 * 20 * 2


def test_a_writer_killed_by_sigkill_leaves_a_verifiable_chain_with_every_acknowledged_change(
    database: Database, make_log: MakeLog
) -> None:
    write_changes(database, make_log(), 2)  # the chain already has a past
    writer = _writer(database.url, "victim", 100_000)
    assert writer.stdout is not None
    acknowledged = [writer.stdout.readline() for _ in range(40)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=60)
    assert writer.returncode == -signal.SIGKILL

    log = make_log()
    report = log.verify()
    assert report.ok, report.problem
    changes: set[int] = set()
    after = 0
    while page := log.records(after_seq=after, limit=500):
        changes |= {
            r.payload["n"] for r in page if r.kind == "consent.given" and r.payload.get("writer") == "victim"
        }
        after = page[-1].seq
    assert {int(line.split()[2]) for line in acknowledged} <= changes
