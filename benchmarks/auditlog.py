"""How cheap audit logging is on the gate's hot path, and how fast the flusher drains it.

Run:  .venv/bin/python benchmarks/auditlog.py [--decisions 100000] [--rounds 3] [--no-postgres]

Measures, on SQLite (a temporary file) and PostgreSQL (a temporary database at
$CONSENTGATE_BENCH_PG_URL, default postgres@127.0.0.1:5432):
- `record_decision()` calls/s — the deque append the gate pays per released-data decision —
  against a peer in the same process: stdlib `logging` to /dev/null, the naive way to log decisions;
- flushed decision records/s (serialize, hash, insert: one transaction per batch);
- `record_change()` changes/s, one transaction each (the ledger's shape, without the ledger);
- `verify()` records/s; peak memory. It prints numbers; it never asserts.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PAYLOAD = {
    "subject": "user-000123",
    "purpose": "personalized-push",
    "data": ["occupation", "learning-goal"],
    "recipient": None,
    "reason": "consent-live",
    "consent_event_id": "0190f3c2-7d4e-7a61-9c1b-5b0c6f2e8a11",
}


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>14,.0f}/s  ({seconds / count * 1e9:,.0f} ns each)"


def _best(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(db)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_database() -> Iterator[Database]:
    name = f"cg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(db)
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_append(decisions: int, rounds: int) -> None:
    """The hot path alone, with no flusher work in the way (nothing is ever due)."""
    with sqlite_database() as db:
        log = AuditLog(
            db,
            tenant="bench",
            clock=SystemClock(),
            ids=Uuid7Ids(),
            batch_size=10**9,
            flush_interval=3600,
            max_pending=10**9,  # every round's decisions stay in memory: nothing is ever written
        )
        record = log.record_decision

        def run() -> float:
            start = time.perf_counter()
            for _ in range(decisions):
                record(PAYLOAD)
            return time.perf_counter() - start

        ours = _best(rounds, run)
        peer_logger = logging.getLogger("bench.peer")
        peer_logger.propagate = False
        with Path(os.devnull).open("w") as sink:
            peer_logger.addHandler(logging.StreamHandler(sink))
            peer_logger.setLevel(logging.INFO)

            def peer() -> float:
                start = time.perf_counter()
                for _ in range(decisions):
                    peer_logger.info("decision %s", PAYLOAD)
                return time.perf_counter() - start

            theirs = _best(rounds, peer)
        print(f"record_decision (clock + deque)      {_rate(decisions, ours)}")
        print(f"peer: logging.info to /dev/null      {_rate(decisions, theirs)}")
        print(f"ratio                                {theirs / ours:>14.1f}x faster than the peer")
        log._buffer.clear()  # a benchmark's shortcut: these records are not meant to be written
        log.close()


def bench_database(label: str, db: Database, decisions: int, rounds: int, changes: int) -> None:
    log = AuditLog(
        db,
        tenant="bench",
        clock=SystemClock(),
        ids=Uuid7Ids(),
        batch_size=1000,
        flush_interval=3600,
        max_pending=max(decisions, 1),
    )

    def flush_run() -> float:
        for _ in range(decisions):
            log.record_decision(PAYLOAD)
        start = time.perf_counter()
        log.flush()
        return time.perf_counter() - start

    flushed = _best(rounds, flush_run)

    start = time.perf_counter()
    for n in range(changes):
        with db.transaction() as session:
            log.record_change(session, "consent.given", {"n": n, **PAYLOAD})
    changed = time.perf_counter() - start

    start = time.perf_counter()
    report = log.verify()
    verified = time.perf_counter() - start
    log.close()
    print(f"[{label}] flushed decisions (batch 1000)  {_rate(decisions, flushed)}")
    print(f"[{label}] record_change, 1 txn each     {_rate(changes, changed)}")
    print(
        f"[{label}] verify()                      {_rate(report.records_checked, verified)}  ok={report.ok}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}; {args.decisions:,} decisions x {args.rounds} rounds (best round)"
    )
    bench_append(args.decisions * 10, args.rounds)
    with sqlite_database() as db:
        bench_database("sqlite", db, args.decisions, args.rounds, args.changes)
    if args.no_postgres:
        print("[postgresql] skipped (--no-postgres)")
    else:
        try:
            with postgres_database() as db:
                bench_database("postgresql", db, args.decisions, args.rounds, args.changes)
        except Exception as error:  # a missing PostgreSQL is reported, not fatal
            print(f"[postgresql] skipped: {error.__class__.__name__}: {str(error).splitlines()[0]}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
