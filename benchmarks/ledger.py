"""How fast the consent ledger writes, and how long a projection rebuild takes.

Run:  .venv/bin/python benchmarks/ledger.py [--events 1000000] [--single 2000] [--batched 50000]
      [--batch 500] [--subjects 20000] [--backend sqlite --backend postgresql]

For each database (a fresh SQLite file in a temporary folder; a fresh PostgreSQL database made on
CONSENTGATE_TEST_PG_URL's server and dropped afterwards) it measures, on the seed app's policy:
  * single `record` calls: events/s and per-call latency p50/p99 (one transaction each, with the
    projection upsert and its audit-chain record, durable on commit);
  * `record_many` batches of --batch events: events/s (one transaction per batch);
  * the time `rebuild()` takes to recompute the projection from --events events (the ledger is
    filled up to that size with bulk inserts through the repository's `append`, the only insert).
It prints numbers and never asserts. Target to report against: >= 5,000 events/s on PostgreSQL
with batching.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import func, select

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.models import ConsentEventRow
from consentgate.runtime.consent.repository import ConsentRepository, Draft
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy, compile_policy
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.scratch import scratch_database
from consentgate.text import Text

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "seed-case" / "fixed.yaml"
PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TENANT = "bench"
NOTICE = ("privacy-policy", "2024-01")
TARGET_PG_BATCHED = 5_000
# (purpose, recipient) pairs a consent may name in the seed app.
TARGETS = (
    ("personalized-push", None),
    ("marketing-sms", None),
    ("certificates", None),
    ("share-affiliates", "affiliate-app-a"),
    ("share-affiliates", "affiliate-app-b"),
)


def fresh_database(backend: str) -> AbstractContextManager[Database]:
    return scratch_database(backend, PG_ADMIN_URL, prefix="cg_bench_ledger")


def random_event(rng: random.Random, subjects: int) -> NewConsentEvent:
    purpose, recipient = rng.choice(TARGETS)
    kind = rng.choices((EventKind.GIVEN, EventKind.WITHDRAWN, EventKind.REFUSED), (6, 3, 1))[0]
    given = kind is EventKind.GIVEN
    return NewConsentEvent(
        subject=f"s{rng.randrange(subjects):07d}",
        purpose=purpose,
        kind=kind,
        recipient=recipient,
        notice_id=NOTICE[0] if given else None,
        notice_version=NOTICE[1] if given else None,
        mechanism=Mechanism.SEPARATE if recipient else Mechanism.IN_FLOW,
        evidence=Evidence(screen_id="questionnaire", locale="zh-CN", ip_hash="k1:" + "ab" * 16),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def count_events(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(ConsentEventRow)) or 0


def run_backend(backend: str, args: argparse.Namespace, policy: Policy) -> None:
    print(f"\n== {backend}")
    with fresh_database(backend) as db:
        upgrade(db)
        clock, ids = SystemClock(), Uuid7Ids()
        audit = AuditLog(db, tenant=TENANT, clock=clock, ids=ids)
        try:
            notices = NoticeService(db, tenant=TENANT, clock=clock, ids=ids, audit=audit, policy=policy)
            covered = list(policy.purposes.values())
            notices.publish(
                *NOTICE,
                text=Text(zh="个人信息处理规则", en="Personal information processing rules"),
                purposes=[p.id for p in covered],
                data={d for p in covered for d in p.data},
                recipients={r for p in covered for r in p.recipients},
            )
            ledger = ConsentLedger(
                db, tenant=TENANT, clock=clock, ids=ids, audit=audit, notices=notices, policy=policy
            )
            rng = random.Random(7)
            started = time.perf_counter()
            names = [f"s{i:07d}" for i in range(args.subjects)]
            for start in range(0, len(names), 5000):
                ledger.register_subjects(names[start : start + 5000])
            print(f"register {args.subjects:,} subjects: {time.perf_counter() - started:.2f} s")

            latencies = []
            started = time.perf_counter()
            for _ in range(args.single):
                event = random_event(rng, args.subjects)
                t0 = time.perf_counter()
                ledger.record(event)
                latencies.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            print(
                f"record (single):        {args.single / elapsed:10,.0f} events/s   "
                f"p50 {percentile(latencies, 0.5) * 1e3:.2f} ms  p99 {percentile(latencies, 0.99) * 1e3:.2f} ms"
            )

            batches = [
                [random_event(rng, args.subjects) for _ in range(args.batch)]
                for _ in range(max(1, args.batched // args.batch))
            ]
            started = time.perf_counter()
            for batch in batches:
                ledger.record_many(batch)
            elapsed = time.perf_counter() - started
            written = sum(len(b) for b in batches)
            rate = written / elapsed
            verdict = ""
            if backend == "postgresql":
                verdict = f"  (target >= {TARGET_PG_BATCHED:,}/s: {'met' if rate >= TARGET_PG_BATCHED else 'NOT met'})"
            print(f"record_many ({args.batch}/batch): {rate:10,.0f} events/s{verdict}")

            fill(db, args, rng)
            total = count_events(db)
            started = time.perf_counter()
            folded = ledger.rebuild()
            elapsed = time.perf_counter() - started
            print(
                f"rebuild from {folded:,} events: {elapsed:.2f} s ({folded / elapsed:,.0f} events/s); "
                f"{len(ledger.projection()):,} subjects projected; ledger holds {total:,}"
            )
        finally:
            audit.close()


def fill(db: Database, args: argparse.Namespace, rng: random.Random) -> None:
    """Bulk-appends events (no projection, no audit) until the ledger holds --events."""
    missing = args.events - count_events(db)
    if missing <= 0:
        return
    repo = ConsentRepository(TENANT, db.dialect)
    ids, clock = Uuid7Ids(), SystemClock()
    started = time.perf_counter()
    chunk = 10_000
    with db.reading() as session:  # every subject was registered above; events hold their refs
        refs = repo.refs(session, [f"s{i:07d}" for i in range(args.subjects)])
    while missing > 0:
        size = min(chunk, missing)
        drafts = [Draft(ids.new_id(), clock.now(), random_event(rng, args.subjects)) for _ in range(size)]
        with db.transaction() as session:
            repo.append(session, drafts, refs)
        missing -= size
    print(f"bulk fill to {args.events:,} events: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="ledger size for the rebuild timing")
    parser.add_argument("--single", type=int, default=2_000, help="single record() calls to time")
    parser.add_argument("--batched", type=int, default=50_000, help="events to write with record_many")
    parser.add_argument("--batch", type=int, default=500, help="events per record_many call")
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    policy = compile_policy(load_manifest(MANIFEST).manifest)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; seed-case policy, tenant {TENANT!r}")
    for backend in args.backend or ["sqlite", "postgresql"]:
        run_backend(backend, args, policy)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
