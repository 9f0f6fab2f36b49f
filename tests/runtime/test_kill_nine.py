"""kill -9 while consents are recorded: every acknowledged consent is persisted, and the ledger verifies.

20 trials per backend. In each, a writer process opens the Engine on an existing database and records
consents in a loop (give, give, withdraw, ...), printing an event's id only after `give`/`withdraw`
returned, i.e. after its transaction committed: an acknowledgement. The test SIGKILLs it at a random
moment (seeded: after a random number of acknowledgements plus a random fraction of a write), then
counts which acknowledged ids the database holds. Afterwards the audit chain must verify, the
projection must equal a rebuild from the events, and no event may be half there.

To keep 20 trials short on a busy machine, the writers are forked from one "zygote" process that has
imported the runtime once (a fresh interpreter per trial would spend seconds importing); the zygote
itself opens nothing, so each writer starts with no connection or thread of anyone else's.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import bindparam, text

from consentgate.runtime.engine import Engine
from consentgate.store.database import Database

FIXED = Path(__file__).parents[2] / "examples" / "seed-case" / "fixed.yaml"
TRIALS = 20
SEED = 14  # issue 14; the same moments on every run, so a failure can be replayed
GUARD = 120.0  # seconds a trial may wait for a line before the writer counts as hung

ZYGOTE = textwrap.dedent(
    """
    import os, sys
    from consentgate.runtime.engine import Engine  # imported once; every writer is forked from here

    def write(manifest, url, prefix):
        engine = Engine.from_manifest(manifest, database_url=url)
        notice = engine.notices.current("privacy-policy")
        print("ready", flush=True)
        for n in range(1_000_000):
            subject = f"{prefix}-{n % 7}"
            if n < 7:
                engine.consent.register_subject(subject)
            if n % 3 == 2:
                event = engine.consent.withdraw(subject, "marketing-sms")
            else:
                event = engine.consent.give(
                    subject, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version,
                    data=("phone",),
                )
            print("ack", event.event_id, flush=True)  # only now was the caller told: acknowledged

    for line in sys.stdin:
        manifest, url, prefix = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                write(manifest, url, prefix)
            finally:
                os._exit(0)
        print("pid", pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print("done", status, flush=True)
    """
)
ACK = re.compile(r"^ack (\S+)$")


@dataclass(frozen=True)
class Trial:
    acknowledged: tuple[str, ...]
    persisted: int  # of the acknowledged
    killed_by_sigkill: bool


class Zygote:
    """One interpreter with the runtime imported; `trial()` forks a writer from it and kills it."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until the writer or the zygote says something
        assert line, f"the zygote ended (exit {self.process.poll()})"
        return line.rstrip("\n")

    def trial(self, url: str, prefix: str, acks_before_kill: int, extra: float) -> tuple[list[str], int]:
        """Acknowledged ids, and the writer's wait status, of one writer SIGKILLed after
        `acks_before_kill` acknowledgements and `extra` seconds more (mid-way through a next write)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{FIXED} {url} {prefix}\n")
        self.process.stdin.flush()
        first = self._line()
        assert first.startswith("pid "), first
        pid = int(first.split()[1])
        acknowledged: list[str] = []
        line = self._line()
        assert line == "ready", line
        while len(acknowledged) < acks_before_kill:
            line = self._line()
            assert not line.startswith("done"), f"the writer ended by itself: {line}"
            found = ACK.match(line)
            if found:
                acknowledged.append(found.group(1))
        time.sleep(extra)  # where in the next write the kill lands; not a wait for anything
        os.kill(pid, signal.SIGKILL)
        while not (line := self._line()).startswith("done "):
            found = ACK.match(line)  # acknowledged before the kill, still in the pipe
            if found:
                acknowledged.append(found.group(1))
        return acknowledged, int(line.split()[1])

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()  # the zygote's loop ends with its input
        self.process.wait(timeout=GUARD)
        self.process.stdout.close()


def _persisted(database: Database, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    with database.reading() as session:
        rows = session.execute(
            text("SELECT event_id FROM consent_events WHERE event_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )
        return {str(row[0]) for row in rows}


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_consent(database_url: str) -> None:
    Engine.from_manifest(FIXED, create=True, database_url=database_url).close()  # db upgrade + notices
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    rng = random.Random(f"{SEED}-{backend}")
    zygote = Zygote()
    database = Database(database_url)
    trials: list[Trial] = []
    try:
        for number in range(TRIALS):
            ids, status = zygote.trial(
                database_url, f"t{number}", acks_before_kill=rng.randint(1, 25), extra=rng.uniform(0, 0.03)
            )
            persisted = _persisted(database, ids)
            trials.append(
                Trial(
                    tuple(ids),
                    len(persisted),
                    os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL,
                )
            )
    finally:
        database.dispose()
        zygote.close()

    acknowledged = sum(len(t.acknowledged) for t in trials)
    persisted = sum(t.persisted for t in trials)
    print(
        f"\nkill -9 on {backend}: {TRIALS} trials, {acknowledged} consents acknowledged, "
        f"{persisted} persisted, {acknowledged - persisted} lost"
    )
    assert all(t.killed_by_sigkill for t in trials)
    assert persisted == acknowledged, [t for t in trials if t.persisted < len(t.acknowledged)]

    with Engine.from_manifest(FIXED, database_url=database_url) as engine:
        report = engine.auditlog.verify()
        assert report.ok, report.problem
        events = engine.consent.events()
        assert engine.consent.rebuild() == len(events)  # every stored event folds: none half-written
        assert len(events) >= acknowledged  # at most the unacknowledged last write of each trial more
        assert len(events) <= acknowledged + TRIALS
