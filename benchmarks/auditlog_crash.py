"""What a kill -9 loses from the audit log, measured: decisions at a steady rate, SIGKILL at random moments.

Run:  .venv/bin/python benchmarks/auditlog_crash.py [--trials 20] [--rate 2000] [--no-postgres]

Each trial starts a child process (a real `Engine` on the seed app) that registers a fresh person,
consents, then asks the gate at `--rate` decisions/s and prints one line per allowed decision (an
acknowledgement: the caller has been told yes) and one per consent event after its commit; every
`--change-every` decisions it consents again (a change, committed with its record). The parent kills
it with SIGKILL after a random 0.5–2.5 s of deciding, then counts, from the database:

- decisions lost = acknowledged decisions without a record (decision records are written in the
  order they were made, so this is acknowledged − written);
- changes lost = acknowledged consent events without their audit record (the claim: always 0);
- whether the chain still verifies.

It prints per-trial figures, max and p50, against the bound docs/auditlog.md states: one window of
`min(batch_size, rate × (flush_interval + 10 ms))` decisions waiting, plus at most one batch being
committed at the kill (2 × window in all) — valid while the flusher keeps up with the rate. It prints
numbers; it never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from consentgate.runtime.auditlog.verify import verify_chain
from consentgate.runtime.engine import Engine
from consentgate.store.database import Database
from consentgate.store.scratch import scratch_postgres

FIXED = Path(__file__).parents[1] / "examples" / "seed-case" / "fixed.yaml"
PG_ADMIN_URL = os.environ.get(
    "CONSENTGATE_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
POLL = 0.01  # the flusher's look (runtime/auditlog/service.py, _MAX_POLL)

CHILD = textwrap.dedent(
    """
    import sys, time
    from consentgate.runtime.engine import Engine

    manifest, url, subject, rate, change_every = sys.argv[1:6]
    rate, change_every = float(rate), int(change_every)
    engine = Engine.from_manifest(manifest, database_url=url)  # opens what the parent made
    log = engine.auditlog
    notice = engine.notices.current("privacy-policy")
    engine.consent.register_subject(subject)

    def consent():
        event = engine.consent.give(
            subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version, data=("phone",)
        )
        print("c", event.event_id, flush=True)  # after the commit: acknowledged

    consent()
    print("ready", engine.consent.ref(subject), log.batch_size, log.flush_interval, flush=True)
    start, n, most = time.perf_counter(), 0, 0
    while True:
        n += 1
        if engine.gate.decide(subject, "marketing-sms", "phone").allowed:
            print("d", flush=True)  # the caller was told yes
        if n % change_every == 0:
            consent()
        most = max(most, log.pending)
        if n % 200 == 0:
            print("p", most, flush=True)
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    """
)


@dataclass
class Trial:
    ran: float
    acknowledged: int
    written: int
    changes_acknowledged: int
    changes_lost: int
    most_pending: int
    verified: bool

    @property
    def lost(self) -> int:
        return max(0, self.acknowledged - self.written)


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'crash.db'}"


def postgres_url() -> AbstractContextManager[str]:
    return scratch_postgres(PG_ADMIN_URL, prefix="cg_crash")


def _read(stream: object, lines: list[str], ready: threading.Event) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line)
        if line.startswith("ready"):
            ready.set()
    ready.set()  # the child died before it was ready: do not wait forever


def run_trial(url: str, number: int, rate: float, change_every: int, rng: random.Random) -> Trial:
    subject = f"crash-{number}-{uuid.uuid4().hex[:6]}"
    lines: list[str] = []
    ready = threading.Event()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(FIXED), url, subject, str(rate), str(change_every)],
        stdout=subprocess.PIPE,
        text=True,
    )
    reader = threading.Thread(target=_read, args=(child.stdout, lines, ready))
    reader.start()
    if not ready.wait(300):
        raise RuntimeError("the child never became ready")
    run_for = rng.uniform(0.5, 2.5)
    time.sleep(run_for)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    reader.join()  # every line in the pipe was written before the kill: acknowledged too
    ready_line = next(line for line in lines if line.startswith("ready"))
    ref = ready_line.split()[1]
    changes = {line.split()[1] for line in lines if line.startswith("c ")}
    pending = [int(line.split()[1]) for line in lines if line.startswith("p ")]
    db = Database(url)
    try:
        with db.reading() as session:
            written = session.execute(
                text(
                    "SELECT count(*) FROM audit_records WHERE tenant_id = 'default' AND kind = 'decision'"
                    " AND subject_ref = :ref"
                ),
                {"ref": ref},
            ).scalar_one()
            payloads = session.scalars(
                text(
                    "SELECT payload FROM audit_records WHERE tenant_id = 'default' AND kind LIKE 'consent.%'"
                )
            )
            recorded = {event["event_id"] for p in payloads for event in json.loads(p).get("events", [])}
        verified = verify_chain(db, "default").ok
    finally:
        db.dispose()
    return Trial(
        ran=run_for,
        acknowledged=sum(1 for line in lines if line == "d\n"),
        written=written,
        changes_acknowledged=len(changes),
        changes_lost=len(changes - recorded),
        most_pending=max(pending, default=0),
        verified=verified,
    )


def bench(label: str, url: str, trials: int, rate: float, change_every: int, seed: int) -> None:
    Engine.from_manifest(FIXED, create=True, database_url=url).close()  # schema and notices, once
    rng = random.Random(seed)
    results: list[Trial] = []
    for number in range(trials):
        trial = run_trial(url, number, rate, change_every, rng)
        results.append(trial)
        print(
            f"[{label}] trial {number + 1:>2}: killed after {trial.ran:4.2f}s; decisions acknowledged"
            f" {trial.acknowledged:>6}, written {trial.written:>6}, lost {trial.lost:>4}"
            f" (max pending seen {trial.most_pending:>4}); changes acknowledged"
            f" {trial.changes_acknowledged:>3}, lost {trial.changes_lost}; chain ok={trial.verified}"
        )
    batch, interval = 1000, 0.25  # the defaults the child runs with
    window = min(batch, round(rate * (interval + POLL)))
    lost = [t.lost for t in results]
    print(
        f"[{label}] {trials} trials at {rate:,.0f} decisions/s: decisions lost max {max(lost)},"
        f" p50 {statistics.median(lost):.0f}; stated bound: window {window}, at most {2 * window}"
        f" with a batch committing; max pending seen {max(t.most_pending for t in results)};"
        f" changes lost {sum(t.changes_lost for t in results)};"
        f" chains verified {sum(t.verified for t in results)}/{trials}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2000, help="decisions per second")
    parser.add_argument("--change-every", type=int, default=200, help="a consent change every N decisions")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]} on {platform.machine()} ({os.cpu_count()} cores),"
        f" {time.strftime('%Y-%m-%d', time.gmtime())}"
    )
    with sqlite_url() as url:
        bench("sqlite", url, args.trials, args.rate, args.change_every, args.seed)
    if args.no_postgres:
        print("[postgresql] skipped (--no-postgres)")
        return
    try:
        with postgres_url() as url:
            bench("postgresql", url, args.trials, args.rate, args.change_every, args.seed)
    except Exception as error:  # a missing PostgreSQL is reported, not fatal
        print(f"[postgresql] skipped: {error.__class__.__name__}: {str(error).splitlines()[0]}")


if __name__ == "__main__":
    main()
