"""How fast a person's data-subject requests are carried out: a copy and an erasure, and erasing many people.

Run:  .venv/bin/python benchmarks/rights.py [--quick] [--events 10000] [--reps 5] [--subjects 100000]
      [--seconds 25] [--peer-seconds 10] [--workers 2] [--fill-decisions 0]
      [--backend sqlite --backend postgresql]

For each database (a fresh SQLite file in a temporary folder; a fresh PostgreSQL database made on
CONSENTGATE_TEST_PG_URL's server and dropped afterwards), on the seed app (examples/seed-case/fixed.yaml),
first --subjects people (--quick: 2,000) are registered in bulk with one consent event and one profile
attribute each (not timed; --fill-decisions adds that many decision records about them to the audit
log, the log a copy's decisions section searches). Then:

1. One person holding --events consent events (give and withdraw alternating over the app's consent
   purposes, written with `record_many`), profile attributes with a derived tag, and gate decisions
   flushed to the audit log. Timed: `Engine.rights.fulfil` of a verified copy request (gather + zip +
   store; the zip's size is printed), then of a verified delete request. A fresh person each run;
   p50 over --reps. Target to report against: <= 1 s each.
2. Erasing the people one request each (the service has no batch API): request + verify_identity +
   fulfil, (a) in a loop in this process over the first half of them, (b) over the second half
   spread across --workers processes, each its own Engine on the same database. Each run is
   time-boxed to --seconds; when the box ends first, the rate of the prefix erased is extrapolated
   linearly to all --subjects (the database holds all of them throughout, so lookups are full-size).
3. A peer in the same process: a plain `DELETE FROM profile_attributes WHERE subject = ?`, one
   transaction per person, over the first half — what a naive deletion costs — and the ratio.

It prints numbers and never asserts. Peak RSS of this process and of the worker processes is printed.
With the defaults a run of both databases takes about 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, text

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.auditlog.schemas import DECISION_KIND
from consentgate.runtime.consent.repository import ConsentRepository
from consentgate.runtime.consent.schemas import EventKind, Evidence, Mechanism, NewConsentEvent
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import SystemClock, Uuid7Ids
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from consentgate.store.scratch import scratch_database
from consentgate.store.tables import all_tables

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "examples" / "seed-case" / "fixed.yaml"
PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TENANT = "bench"
NOTICE = ("privacy-policy", "2024-01")
TARGET_SECONDS = 1.0
EVENT_BATCH = 1_000  # events per record_many call
SUBJECT_BATCH = 5_000  # subjects per register_subjects call
# (purpose, recipient) pairs a consent may name in the seed app.
TARGETS = (
    ("personalized-push", None),
    ("marketing-sms", None),
    ("certificates", None),
    ("share-affiliates", "affiliate-app-a"),
    ("share-affiliates", "affiliate-app-b"),
)
EVIDENCE = Evidence(screen_id="questionnaire", locale="zh-CN", ip_hash="k1:" + "ab" * 16)
# (purpose, data, recipient) the person's data is released for: each allowed decision is audited.
DECISIONS = (
    ("personalized-push", ("occupation", "learning-goal", "english-level"), None),
    ("marketing-sms", "phone", None),
    ("certificates", "english-name", None),
    ("share-affiliates", ("phone", "orders"), "affiliate-app-a"),
    ("online-courses", ("phone", "orders"), None),
)
DECISION_ROUNDS = 20


def fresh_database(backend: str) -> AbstractContextManager[Database]:
    return scratch_database(backend, PG_ADMIN_URL, prefix="cg_bench_rights")


def open_engine(db: Database) -> Engine:
    return Engine(load_manifest(MANIFEST), db, tenant=TENANT, clock=SystemClock(), ids=Uuid7Ids())


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# ---------------------------------------------------------------------------- 1. one person, many events


def alternating_events(subject: str, count: int) -> list[NewConsentEvent]:
    """Give and withdraw in turn on each consent target, ending on "given" for every target."""
    rounds = -(-count // len(TARGETS))
    events = []
    for i in range(count):
        purpose, recipient = TARGETS[i % len(TARGETS)]
        given = (rounds - 1 - i // len(TARGETS)) % 2 == 0
        events.append(
            NewConsentEvent(
                subject=subject,
                purpose=purpose,
                kind=EventKind.GIVEN if given else EventKind.WITHDRAWN,
                recipient=recipient,
                notice_id=NOTICE[0] if given else None,
                notice_version=NOTICE[1] if given else None,
                mechanism=Mechanism.SEPARATE if recipient else Mechanism.IN_FLOW,
                evidence=EVIDENCE,
            )
        )
    return events


def build_person(engine: Engine, subject: str, events: int) -> None:
    """`subject` with `events` consent events, profile attributes, a derived tag and audited decisions."""
    engine.consent.register_subject(subject)
    last_push = ""
    batch = alternating_events(subject, events)
    for start in range(0, len(batch), EVENT_BATCH):
        for event in engine.consent.record_many(batch[start : start + EVENT_BATCH]):
            if event.purpose == "personalized-push" and event.kind is EventKind.GIVEN:
                last_push = event.event_id
    profiles = engine.profiles
    profiles.set(subject, "phone", "13912345678", purposes=["online-courses"], consent_event_id=None)
    profiles.set(subject, "orders", ["ORDER-20240117"], purposes=["online-courses"], consent_event_id=None)
    profiles.set(subject, "english-name", "Marvin", purposes=["certificates"], consent_event_id=None)
    answers = {"occupation": "同声传译员", "learning-goal": "雅思八分", "english-level": "CEFR-C1"}
    sources = [
        profiles.set(subject, item, value, purposes=["personalized-push"], consent_event_id=last_push or None)
        for item, value in answers.items()
    ]
    profiles.derive(
        subject,
        "profile-tags",
        ["高阶口译"],
        derived_from=[a.attribute_id for a in sources],
        purposes=["personalized-push"],
    )
    for _ in range(DECISION_ROUNDS):
        for purpose, data, recipient in DECISIONS:
            engine.gate.decide(subject, purpose, data, recipient)
    engine.auditlog.flush()


@dataclass(frozen=True)
class PersonRun:
    build: float
    copy: float
    zip_bytes: int
    delete: float
    decisions: int


def one_person(engine: Engine, subject: str, events: int) -> PersonRun:
    started = time.perf_counter()
    build_person(engine, subject, events)
    build = time.perf_counter() - started
    rights = engine.rights

    copy = rights.request(subject, "copy")
    rights.verify_identity(copy.request_id)
    started = time.perf_counter()
    rights.fulfil(copy.request_id)
    copy_seconds = time.perf_counter() - started
    zip_bytes = len(rights.export(copy.request_id))
    decisions = len(engine.auditlog.records_naming(engine.consent.ref(subject), kind=DECISION_KIND))

    delete = rights.request(subject, "delete")
    rights.verify_identity(delete.request_id)
    started = time.perf_counter()
    rights.fulfil(delete.request_id)
    delete_seconds = time.perf_counter() - started
    return PersonRun(build, copy_seconds, zip_bytes, delete_seconds, decisions)


# ---------------------------------------------------------------------------- 2. many people, one each


def population(count: int) -> list[str]:
    return [f"p{i:07d}" for i in range(count)]


def populate(engine: Engine, subjects: Sequence[str]) -> None:
    """Registers the people in bulk, gives each one consent event and stores one profile attribute.

    The events go through a `ConsentLedger` on the Engine's database, audit log and notices but with no
    listener: the Engine's own ledger would have the sharing service look up transfers once per person
    after every batch (one query each; 100k people took over 2 minutes on PostgreSQL that way).
    """
    ledger = ConsentLedger(
        engine.database,
        tenant=TENANT,
        clock=engine.clock,
        ids=engine.ids,
        audit=engine.auditlog,
        notices=engine.notices,
        policy=engine.policy,
        manifest=engine.manifest,
    )
    for start in range(0, len(subjects), SUBJECT_BATCH):
        ledger.register_subjects(subjects[start : start + SUBJECT_BATCH])
    for start in range(0, len(subjects), EVENT_BATCH):
        ledger.record_many(
            [
                NewConsentEvent(
                    subject=subject,
                    purpose="personalized-push",
                    kind=EventKind.GIVEN,
                    notice_id=NOTICE[0],
                    notice_version=NOTICE[1],
                    evidence=EVIDENCE,
                )
                for subject in subjects[start : start + EVENT_BATCH]
            ]
        )
    insert_attributes(engine.database, subjects)


def insert_attributes(db: Database, subjects: Sequence[str]) -> None:
    """One typed phone attribute per person, straight into the table (setup only, not measured)."""
    table = all_tables().tables["profile_attributes"]
    now = SystemClock().now()
    for start in range(0, len(subjects), SUBJECT_BATCH):
        rows = [
            {
                "tenant_id": TENANT,
                "attribute_id": uuid.uuid4().hex,
                "subject": subject,
                "data_id": "phone",
                "source": "typed",
                "value": "13900000000",
                "purposes": ["online-courses"],
                "consent_event_id": None,
                "derived_from": [],
                "created_at": now,
            }
            for subject in subjects[start : start + SUBJECT_BATCH]
        ]
        with db.transaction() as session:
            session.execute(insert(table), rows)


def fill_decisions(engine: Engine, subjects: Sequence[str], count: int) -> None:
    """Decision records about other people: the log a copy request's decisions section searches."""
    log = engine.auditlog
    for i in range(count):
        purpose, data, recipient = DECISIONS[i % len(DECISIONS)]
        log.record_decision(
            {"subject": subjects[i % len(subjects)], "purpose": purpose, "data": data, "recipient": recipient}
        )
        if i % 10_000 == 9_999:
            log.flush()
    log.flush()


@dataclass(frozen=True)
class Run:
    """People handled in a loop, the wall time it took, and each person's own time."""

    label: str
    done: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def erase_loop(engine: Engine, subjects: Sequence[str], seconds: float, label: str) -> Run:
    """request + verify_identity + fulfil per person until the list or the time box ends."""
    rights = engine.rights
    latencies = []
    started = time.perf_counter()
    deadline = started + seconds
    for subject in subjects:
        t0 = time.perf_counter()
        request = rights.request(subject, "delete")
        rights.verify_identity(request.request_id)
        rights.fulfil(request.request_id)
        latencies.append(time.perf_counter() - t0)
        if time.perf_counter() >= deadline:
            break
    return Run(label, len(latencies), time.perf_counter() - started, tuple(latencies))


def erase_batches(engine: Engine, subjects: Sequence[str], seconds: float, batch: int) -> tuple[Run, Run]:
    """Requests received and verified one by one (as people ask), then carried out by `fulfil_many`
    `batch` people per transaction; returns the receiving run and the batched erasure run."""
    rights = engine.rights
    ids: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds / 2
    for subject in subjects:
        request = rights.request(subject, "delete")
        rights.verify_identity(request.request_id)
        ids.append(request.request_id)
        if time.perf_counter() >= deadline:
            break
    received = Run("receiving + verifying, per person", len(ids), time.perf_counter() - started, ())
    latencies: list[float] = []
    done = 0
    started = time.perf_counter()
    for start in range(0, len(ids), batch):
        t0 = time.perf_counter()
        chunk = ids[start : start + batch]
        rights.fulfil_many(chunk, batch=batch)
        latencies += [(time.perf_counter() - t0) / len(chunk)] * len(chunk)
        done += len(chunk)
    erased = Run(
        f"ours, fulfil_many ({batch}/transaction)", done, time.perf_counter() - started, tuple(latencies)
    )
    return received, erased


def naive_loop(db: Database, subjects: Sequence[str], seconds: float) -> Run:
    """The peer: DELETE FROM profile_attributes WHERE subject = ?, one transaction per person."""
    statement = text("DELETE FROM profile_attributes WHERE tenant_id = :tenant AND subject = :subject")
    latencies = []
    started = time.perf_counter()
    deadline = started + seconds
    with db.engine.connect() as connection:
        for subject in subjects:
            t0 = time.perf_counter()
            with connection.begin():
                connection.execute(statement, {"tenant": TENANT, "subject": subject})
            latencies.append(time.perf_counter() - t0)
            if time.perf_counter() >= deadline:
                break
    return Run(
        "peer: plain DELETE",
        len(latencies),
        time.perf_counter() - started,
        tuple(latencies),
    )


def _worker(url: str, subjects: list[str], seconds: float, ready: Any, go: EventType, results: Any) -> None:
    """One worker process: its own Engine on the same database, erasing its share in a loop."""
    db = Database(url)
    engine = open_engine(db)
    try:
        engine.consent.known_subject(subjects[0])  # warm: connection open, mappers configured
        ready.put(os.getpid())
        go.wait()
        run = erase_loop(engine, subjects, seconds, "worker")
        results.put((run.done, run.seconds, run.latencies))
    finally:
        engine.close()


def erase_in_workers(url: str, subjects: Sequence[str], workers: int, seconds: float) -> Run:
    """Each worker takes a contiguous share; the run's time is that of the slowest worker."""
    context = multiprocessing.get_context("spawn")  # fresh processes: no pooled connection is inherited
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    share = -(-len(subjects) // workers)
    shares = [list(subjects[k * share : (k + 1) * share]) for k in range(workers)]
    processes = [
        context.Process(target=_worker, args=(url, part, seconds, ready, go, results))
        for part in shares
        if part
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=120)
    started = time.perf_counter()
    go.set()
    outcomes = [results.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    return Run(
        f"ours, {len(processes)} processes",
        sum(done for done, _, _ in outcomes),
        max([wall, *(elapsed for _, elapsed, _ in outcomes)]),
        tuple(t for _, _, latencies in outcomes for t in latencies),
    )


def count_subjects(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(all_tables().tables["subjects"])) or 0


# ---------------------------------------------------------------------------- report


def run_backend(backend: str, args: argparse.Namespace, console: Console) -> None:
    console.print(f"\n[bold]== {backend}[/]")
    with fresh_database(backend) as db:
        upgrade(db)
        engine = open_engine(db)
        try:
            subjects = population(args.subjects)
            started = time.perf_counter()
            populate(engine, subjects)
            console.print(
                f"setup (not timed): {len(subjects):,} people registered, one consent event and one profile "
                f"attribute each, in {time.perf_counter() - started:.1f} s"
            )
            if args.fill_decisions:
                started = time.perf_counter()
                fill_decisions(engine, subjects, args.fill_decisions)
                console.print(
                    f"setup (not timed): {args.fill_decisions:,} decision records about those people "
                    f"flushed to the audit log in {time.perf_counter() - started:.1f} s"
                )
            runs = [one_person(engine, f"solo-{rep:02d}", args.events) for rep in range(args.reps)]
            person_table(console, args, runs)

            half = len(subjects) // 2
            first, second = subjects[:half], subjects[half:]
            peer = naive_loop(db, first, args.peer_seconds)
            insert_attributes(db, first[: peer.done])  # put back what the peer removed
            single = erase_loop(engine, first, args.seconds, "ours, 1 process")
            engine.auditlog.flush()
            spread = erase_in_workers(db.url, second, args.workers, args.seconds)
            with db.reading() as session:
                registered = ConsentRepository(TENANT, db.dialect).known_subjects(session, subjects)
            rest = [subject for subject in subjects if subject in registered]
            received, batched = erase_batches(engine, rest, args.seconds, args.batch)
            erasure_table(
                console,
                args,
                (single, spread, received, batched, peer),
                (len(first), len(second), len(rest), len(rest), len(first)),
            )
            console.print(
                f"{spread.label.removeprefix('ours, ')} vs 1 process: "
                f"{spread.rate / single.rate if single.rate else 0.0:.2f}x; people still registered: "
                f"{count_subjects(db):,} (expected {args.subjects - single.done - spread.done - batched.done:,})"
            )
        finally:
            engine.close()


def person_table(console: Console, args: argparse.Namespace, runs: Sequence[PersonRun]) -> None:
    table = Table(
        title=f"One person with {args.events:,} consent events, 7 profile attributes and {runs[0].decisions} "
        f"audited decisions: fulfil of a verified request ({len(runs)} run(s), a fresh person each)"
    )
    for column in ("request", "p50 s", "min s", "max s", f"target <= {TARGET_SECONDS:.0f} s"):
        table.add_column(column, justify="right")
    for label, values in (
        ("copy (gather + zip + store)", [r.copy for r in runs]),
        ("delete", [r.delete for r in runs]),
    ):
        p50 = statistics.median(values)
        table.add_row(
            label,
            f"{p50:.3f}",
            f"{min(values):.3f}",
            f"{max(values):.3f}",
            "met" if p50 <= TARGET_SECONDS else "NOT met",
        )
    console.print(table)
    console.print(
        f"copy zip: {statistics.median(r.zip_bytes for r in runs) / 1024:,.0f} KiB (p50); building each "
        f"person took {statistics.median(r.build for r in runs):.2f} s (p50, not timed above)"
    )


def erasure_table(
    console: Console, args: argparse.Namespace, runs: Sequence[Run], pools: Sequence[int]
) -> None:
    table = Table(
        title=f"Erasing people; {args.subjects:,} people in the database; the 1-process run and the peer "
        f"take from the first half, the workers from the second, the batched run from who is left"
    )
    columns = (
        "run",
        "people",
        "seconds",
        "people/s",
        "p50 ms",
        "p99 ms",
        f"for {args.subjects:,}",
        "vs peer",
    )
    for column in columns:
        table.add_column(column, justify="right")
    peer = runs[-1]
    extrapolated = False
    for run, pool in zip(runs, pools, strict=True):
        whole = args.subjects / run.rate if run.rate else float("inf")
        mark = ""
        if run.done < pool:
            mark, extrapolated = " *", True
        table.add_row(
            run.label,
            f"{run.done:,}",
            f"{run.seconds:.1f}",
            f"{run.rate:,.1f}",
            f"{percentile(run.latencies, 0.5) * 1e3:.1f}" if run.latencies else "—",
            f"{percentile(run.latencies, 0.99) * 1e3:.1f}" if run.latencies else "—",
            f"{whole:,.{0 if whole >= 10 else 1}f} s{mark}",
            f"{peer.rate / run.rate:.1f}x the time" if run is not peer and run.rate else "—",
        )
    console.print(table)
    console.print(
        "ours = request + verify_identity + fulfil of a delete request per person; fulfil_many = the same "
        "verified requests carried out a batch per transaction (receiving them is the row above it); peer = "
        "DELETE FROM profile_attributes WHERE subject = ?, one transaction per person (same Database, same "
        "pragmas)"
    )
    if extrapolated:
        console.print(
            "* extrapolated: the time box (--seconds, --peer-seconds) ended before the run's people did; "
            f"the time for all {args.subjects:,} is the prefix's rate scaled linearly (the database held "
            "all of them throughout, so each lookup was at full size)."
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 people, 3 runs, 10 s time boxes")
    parser.add_argument("--events", type=int, default=10_000, help="consent events of the one person")
    parser.add_argument("--reps", type=int, help="runs of the one-person copy and delete (default 5)")
    parser.add_argument("--subjects", type=int, help="people for the erasure runs (default 100,000)")
    parser.add_argument("--seconds", type=float, help="time box of each erasure run (default 25)")
    parser.add_argument("--peer-seconds", type=float, help="time box of the peer (default 10)")
    parser.add_argument(
        "--fill-decisions", type=int, default=0, help="decision records about others in the audit log first"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for the spread erasure run")
    parser.add_argument("--batch", type=int, default=500, help="people per transaction in the batched run")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    defaults = {"reps": 3, "subjects": 2_000, "seconds": 10.0, "peer_seconds": 5.0} if args.quick else {}
    defaults = {"reps": 5, "subjects": 100_000, "seconds": 25.0, "peer_seconds": 10.0} | defaults
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.subjects < 2 or args.reps < 1 or args.workers < 1:
        parser.error("--subjects must be at least 2, --reps and --workers at least 1")
    console = Console(highlight=False, width=max(110, Console().width))
    console.print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); seed-case app, tenant {TENANT!r}"
    )
    for backend in args.backend or ["sqlite", "postgresql"]:
        run_backend(backend, args, console)
    console.print(
        f"\npeak RSS: this process {peak_rss_mib():,.0f} MiB, "
        f"largest worker process {peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB"
    )


if __name__ == "__main__":
    main()
