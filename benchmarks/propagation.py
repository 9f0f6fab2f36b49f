"""How long a withdrawal takes to reach another process's warm gate, and how many threads the feed costs.

Run:  .venv/bin/python benchmarks/propagation.py [--rounds 200] [--tenants 50] [--no-postgres]

Two processes, each with its own Engine on one database (PostgreSQL from $CONSENTGATE_BENCH_PG_URL,
default postgres@127.0.0.1:5432, in a scratch database; SQLite in a temporary file). Each round this
process gives a consent, the reader process decides until its gate allows (its cache is then warm) and
goes on deciding every 0.2 ms; this process waits a random 0-100 ms (so that withdrawals do not fall
in step with the reader's poll, which the consent it just saw has set going), withdraws, notes the time the commit returned, and the
reader notes the first denial. Linux's monotonic clock is system-wide, so the two times compare.
Printed: p50/p90/p99/max of that latency on each database, and for PostgreSQL the same with the
reader's feed forced to poll every 50 ms instead of listening (the peer: how it worked before).
Then: threads and LISTEN connections one process runs for `--tenants` tenants' engines.
It prints; it never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.changes.wakeups import Polled
from consentgate.runtime.engine import Engine
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.scratch import scratch_postgres

PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MANIFEST = Path(__file__).resolve().parents[1] / "examples" / "seed-case" / "fixed.yaml"
TENANT, PERSON, PURPOSE = "bench", "wang-wu", "marketing-sms"


def reader(url: str, polled: bool) -> None:
    """The second process: per round, warm the cache with an allow, then decide until denied."""
    hub = ChangeHub(url, interval=0.05, wakeups=lambda _url: Polled()) if polled else ChangeHub(url)
    with Engine(load_manifest(MANIFEST), Database(url), tenant=TENANT, changes=hub) as engine:
        decide = engine.gate.decide
        for _ in sys.stdin:  # one line per round
            while not decide(PERSON, PURPOSE, "phone").allowed:
                time.sleep(0.0002)
            print("warm", flush=True)
            while decide(PERSON, PURPOSE, "phone").allowed:
                time.sleep(0.0002)
            print(json.dumps({"denied_at": time.monotonic()}), flush=True)


def rounds(url: str, count: int, *, polled: bool) -> list[float]:
    """Latencies in ms between this process's commit of a withdrawal and the reader's first denial."""
    args = [sys.executable, __file__, "--reader", url] + (["--polled"] if polled else [])
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin is not None and process.stdout is not None
    latencies: list[float] = []
    with Engine(load_manifest(MANIFEST), Database(url), tenant=TENANT) as writer:
        notice = writer.notices.current("privacy-policy")
        assert notice is not None
        for _ in range(count):
            writer.consent.give(PERSON, PURPOSE, notice_id=notice.notice_id, notice_version=notice.version)
            process.stdin.write("round\n")
            process.stdin.flush()
            assert process.stdout.readline().strip() == "warm"
            time.sleep(random.uniform(0, 0.1))
            writer.consent.withdraw(PERSON, PURPOSE)
            committed = time.monotonic()
            denied_at = json.loads(process.stdout.readline())["denied_at"]
            latencies.append((denied_at - committed) * 1000)
    process.stdin.close()
    process.wait(timeout=60)
    return latencies


def report(label: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    print(
        f"{label:<34} n={len(ordered):<4} p50 {cut[49]:7.1f} ms  p90 {cut[89]:7.1f} ms  "
        f"p99 {cut[98]:7.1f} ms  max {ordered[-1]:7.1f} ms"
    )


def prepare(url: str) -> None:
    database = Database(url)
    upgrade(database)
    with Engine(load_manifest(MANIFEST), database, tenant=TENANT) as engine:
        engine.consent.register_subject(PERSON)


def threads(url: str, tenants: int) -> None:
    """Threads of one process serving `tenants` tenants' engines, and its LISTEN connections."""
    loaded: LoadedManifest = load_manifest(MANIFEST)
    database = Database(url)
    before = threading.active_count()
    engines = [Engine(loaded, database, tenant=f"tenant-{i}") for i in range(tenants)]
    try:
        names = [t.name for t in threading.enumerate()]
        feed = names.count("consentgate-changes")
        listening = "n/a"
        if database.dialect == "postgresql":
            with database.reading() as session:
                listening = str(
                    session.scalar(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND application_name = 'consentgate-changes'"
                        )
                    )
                )
        print(
            f"[{database.dialect}] {tenants} tenants: {threading.active_count() - before} threads started "
            f"({feed} of them the change feed, which were {tenants} before this change; the rest are "
            f"audit-log flushers), LISTEN connections: {listening}"
        )
    finally:
        for engine in engines:
            engine.close()
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--reader")
    parser.add_argument("--polled", action="store_true")
    args = parser.parse_args()
    if args.reader:
        reader(args.reader, args.polled)
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        prepare(url)
        report("sqlite (polled every 50 ms)", rounds(url, args.rounds, polled=False))
        threads(url, args.tenants)
    if args.no_postgres:
        print("[postgresql] skipped (--no-postgres)")
        return
    with scratch_postgres(PG_ADMIN_URL, prefix="cg_bench") as url:
        prepare(url)
        report("postgresql (LISTEN/NOTIFY)", rounds(url, args.rounds, polled=False))
        report("postgresql, peer: polled every 50 ms", rounds(url, args.rounds, polled=True))
        threads(url, args.tenants)


if __name__ == "__main__":
    main()
