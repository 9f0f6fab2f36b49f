"""How long `auditlog verify` takes now that it checks the ledger and the projection too.

Run:  .venv/bin/python benchmarks/tamper_verify.py [--events 100000] [--decisions 100000]
      [--batch 500] [--subjects 20000] [--backend sqlite --backend postgresql]

For each database (a fresh SQLite file; a fresh PostgreSQL database on CONSENTGATE_TEST_PG_URL's
server, dropped afterwards) it writes --events consent events through `ConsentLedger.record_many`
(batches of --batch: each batch one chain record binding its events) and --decisions decision
records, then times the chain walk alone (`verify_chain`, what `verify` did before: the peer) and
the whole verification (`verify_tenant`: chain + ledger bound to it + projection against the fold).
It prints numbers and never asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.auditlog.integrity import verify_tenant
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.auditlog.verify import verify_chain
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy, compile_policy
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.store.migrate import upgrade
from consentgate.text import Text
from ledger import MANIFEST, NOTICE, TENANT, fresh_database, random_event


def run_backend(backend: str, args: argparse.Namespace, policy: Policy) -> None:
    print(f"\n== {backend}")
    with fresh_database(backend) as db:
        upgrade(db)
        clock, ids = SystemClock(), Uuid7Ids()
        audit = AuditLog(db, tenant=TENANT, clock=clock, ids=ids, max_pending=args.decisions + 1)
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
            names = [f"s{i:07d}" for i in range(args.subjects)]
            for start in range(0, len(names), 5000):
                ledger.register_subjects(names[start : start + 5000])
            rng = random.Random(7)
            started = time.perf_counter()
            for _ in range(args.events // args.batch):
                ledger.record_many([random_event(rng, args.subjects) for _ in range(args.batch)])
            for n in range(args.decisions):
                audit.record_decision({"subject": names[n % len(names)], "purpose": "personalized-push"})
            audit.flush()
            print(
                f"wrote {args.events:,} events and {args.decisions:,} decisions: {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            chain = verify_chain(db, TENANT)
            alone = time.perf_counter() - started
            started = time.perf_counter()
            report = verify_tenant(db, TENANT)
            whole = time.perf_counter() - started
            assert chain.ok and report.ok, report
            records = report.chain.records_checked
            print(f"chain alone (peer): {records:,} records in {alone:.2f} s ({records / alone:,.0f}/s)")
            print(
                f"whole verify:       {records:,} records + {report.events_checked:,} events + "
                f"{report.rows_checked:,} projection rows in {whole:.2f} s  (x{whole / alone:.2f} the peer)"
            )
        finally:
            audit.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
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
