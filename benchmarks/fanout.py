"""How fast one push campaign fans out over a tenant's subjects, and whether memory stays flat.

Run:  .venv/bin/python benchmarks/fanout.py [--subjects 1000000] [--batch 5000]
      [--backend sqlite --backend postgresql] [--no-tracemalloc]

For each database (a fresh SQLite file in a temporary folder; a fresh PostgreSQL database made on
CONSENTGATE_TEST_PG_URL's server and dropped afterwards) it bulk-creates --subjects subjects of the
seed app with mixed consent states for personalized push (given, refused, withdrawn, given on a
superseded notice, never asked) straight into the ledger's tables — COPY on PostgreSQL, executemany
on SQLite — then times `PushService.plan` over all of them: subjects/s, the share personalized,
and memory at each tenth of the way (current RSS, and peak RSS of the process so far). A second
pass plans a second campaign under tracemalloc (slower; --no-tracemalloc skips it) and prints the
traced peak at the same points. Flat memory means the numbers at 100k and at 1M are about equal.
It prints numbers and never asserts. Target to report against: 1M subjects in <= 20 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.runtime.push.fakes import InMemoryTransport
from consentgate.runtime.push.schemas import Campaign, PushContent
from consentgate.runtime.push.service import PushService
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
PURPOSE = "personalized-push"
NOTICE = ("privacy-policy", "2024-01")
TARGET_SECONDS_PER_MILLION = 20.0
# Consent states for personalized push, with their weights (percent of subjects).
STATES = (("given", 40), ("refused", 15), ("withdrawn", 10), ("stale", 5), ("none", 30))
STATE_COLUMNS = (
    "tenant_id",
    "subject",
    "purpose",
    "recipient",
    "status",
    "event_id",
    "notice_id",
    "notice_version",
    "data",
    "mechanism",
    "updated_at",
)
CAMPAIGN = Campaign(
    campaign_id="bench-week-12",
    title="Week 12 lessons",
    generic=PushContent(
        title=Text(zh="本周热门课程", en="This week's popular lessons"),
        body=Text(zh="看看大家都在学什么", en="See what everyone is learning"),
    ),
    personalized=PushContent(
        title=Text(zh="适合{english-level}水平的新课", en="New lessons for {english-level} learners"),
        body=Text(zh="按您的英语水平挑选", en="Picked for your English level"),
    ),
)


def fresh_database(backend: str) -> AbstractContextManager[Database]:
    return scratch_database(backend, PG_ADMIN_URL, prefix="cg_bench_fanout")


# ---------------------------------------------------------------------------- bulk setup


def state_rows(count: int, at: datetime) -> Iterator[tuple[Any, ...]]:
    """One consent_state row per subject that has a state for personalized push (not the "none" ones)."""
    rng = random.Random(7)
    names = [name for name, _ in STATES]
    weights = [weight for _, weight in STATES]
    for i in range(count):
        state = rng.choices(names, weights)[0]
        if state == "none":
            continue
        status = {"stale": "given"}.get(state, state)
        version = "2023-01" if state == "stale" else NOTICE[1]  # a notice since superseded
        notice = (NOTICE[0], version) if status == "given" else (None, None)
        yield (TENANT, subject_id(i), PURPOSE, "", status, f"ev-{i}", *notice, "[]", "in-flow", at)


def subject_id(i: int) -> str:
    return f"s{i:08d}"


def bulk_create(db: Database, count: int) -> float:
    """Subjects and their consent states straight into the ledger's tables; returns seconds taken."""
    started = time.perf_counter()
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    if db.dialect == "postgresql":
        raw = db.engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            with driver.cursor() as cursor:
                with cursor.copy("COPY subjects (tenant_id, subject, registered_at) FROM STDIN") as copy:
                    for i in range(count):
                        copy.write_row((TENANT, subject_id(i), at))
                with cursor.copy(f"COPY consent_state ({', '.join(STATE_COLUMNS)}) FROM STDIN") as copy:
                    for row in state_rows(count, at):
                        copy.write_row(row)
                cursor.execute("ANALYZE subjects")
                cursor.execute("ANALYZE consent_state")
            driver.commit()
        finally:
            raw.close()
    else:
        # The text form SQLAlchemy's SQLite DateTime writes and reads back.
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        path = make_url(db.url).database
        assert path is not None
        connection = sqlite3.connect(path)
        try:
            connection.executemany(
                "INSERT INTO subjects (tenant_id, subject, registered_at) VALUES (?, ?, ?)",
                ((TENANT, subject_id(i), stamp) for i in range(count)),
            )
            connection.executemany(
                f"INSERT INTO consent_state ({', '.join(STATE_COLUMNS)}) VALUES ({', '.join('?' * len(STATE_COLUMNS))})",
                ((*row[:-1], stamp) for row in state_rows(count, at)),
            )
            connection.commit()
        finally:
            connection.close()
    return time.perf_counter() - started


# ---------------------------------------------------------------------------- measuring


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS so far) of this process in MiB."""
    with Path("/proc/self/statm").open() as statm:
        current = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def checkpoints(total: int) -> list[int]:
    """Where to print memory: every tenth of the way, and at 100k when the run is larger."""
    points = {max(1, total * k // 10) for k in range(1, 11)}
    if total > 100_000:
        points.add(100_000)
    return sorted(points)


def plan_in_slices(push: PushService, campaign: Campaign, total: int, batch: int, traced: bool) -> float:
    """Plans the campaign, stopping at each checkpoint to print memory; returns seconds spent planning."""
    planned, elapsed = 0, 0.0
    for point in checkpoints(total):
        batches = max(1, -(-(point - planned) // batch))
        started = time.perf_counter()
        run = push.plan(campaign, max_batches=batches)
        elapsed += time.perf_counter() - started
        planned = run.planned
        current, peak = rss_mib()
        line = f"  {planned:>9,} planned  {elapsed:7.2f} s  RSS {current:7.1f} MiB (peak {peak:7.1f})"
        if traced:
            _, traced_peak = tracemalloc.get_traced_memory()
            line += f"  tracemalloc peak {traced_peak / 2**20:6.1f} MiB"
        print(line, flush=True)
    if not push.campaign(campaign.campaign_id).complete:  # the last, possibly empty, batch
        started = time.perf_counter()
        push.plan(campaign)
        elapsed += time.perf_counter() - started
    return elapsed


def run_backend(backend: str, args: argparse.Namespace) -> None:
    print(f"\n== {backend}", flush=True)
    with fresh_database(backend) as db:
        upgrade(db)
        seconds = bulk_create(db, args.subjects)
        print(f"bulk-create {args.subjects:,} subjects with consent states: {seconds:.1f} s", flush=True)
        engine = Engine(load_manifest(MANIFEST), db, tenant=TENANT, clock=SystemClock(), ids=Uuid7Ids())
        try:
            push = PushService(
                db,
                tenant=TENANT,
                clock=engine.clock,
                ids=engine.ids,
                audit=engine.auditlog,
                policy=engine.policy,
                manifest=engine.manifest,
                notices=engine.notices,
                gate=engine.gate,
                profiles=engine.profiles,
                transport=InMemoryTransport(),
                batch_size=args.batch,
            )
            print(f"plan (batch {args.batch:,}):", flush=True)
            elapsed = plan_in_slices(push, CAMPAIGN, args.subjects, args.batch, traced=False)
            run = push.campaign(CAMPAIGN.campaign_id)
            per_million = elapsed * 1_000_000 / max(run.planned, 1)
            verdict = "met" if per_million <= TARGET_SECONDS_PER_MILLION else "NOT met"
            print(
                f"planned {run.planned:,} subjects in {elapsed:.2f} s: {run.planned / elapsed:,.0f} subjects/s; "
                f"{run.share_personalized:.1%} personalized ({run.personalized:,}), {run.generic:,} generic; "
                f"{per_million:.1f} s per million (target <= {TARGET_SECONDS_PER_MILLION:.0f} s: {verdict})",
                flush=True,
            )
            if not args.no_tracemalloc:
                print("plan again under tracemalloc (slower; memory only):", flush=True)
                tracemalloc.start()
                try:
                    second = replace(CAMPAIGN, campaign_id="bench-week-12-traced")
                    plan_in_slices(push, second, args.subjects, args.batch, traced=True)
                finally:
                    tracemalloc.stop()
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5_000, help="subjects per plan batch (one transaction)")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced memory pass")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    for backend in args.backend or ["sqlite", "postgresql"]:
        run_backend(backend, args)


if __name__ == "__main__":
    main()
