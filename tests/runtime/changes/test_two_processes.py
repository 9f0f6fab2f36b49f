"""Two real processes, each with its own Engine: a withdrawal in one reaches the other's cached gate.

This process writes (worker 1); `worker.py` runs in a second process with its cache warm (worker 2).
The timing assertion is the guarantee the docs make, not a latency target, so load cannot fail it: no
allow is served by a decision that began more than `stale_after` after the withdrawal committed.
The measured latency is printed (`-s`) and recorded as a test property.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.changes.hub import ChangeHub
from consentgate.runtime.engine import Engine
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.runtime.conftest import SEED_FIXED

ROOT = Path(__file__).parents[3]
TENANT, PERSON = "acme", "li-si"
WAIT = 120.0  # generous: readiness of another process, never a latency target


class Worker:
    """The second process, one JSON answer per command."""

    def __init__(self, url: str, log: Path) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.runtime.changes.worker", url, TENANT],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert self.ask(None)["ready"]

    def ask(self, command: str | None) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"worker 2 died: {self.process.poll()}"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
        self.process.communicate(timeout=WAIT)
        self._log.close()


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[tuple[Engine, Worker]]:
    database = Database(database_url)
    upgrade(database)
    # Worker 1 listens for nothing (it only writes), so the one LISTEN connection is worker 2's.
    hub = ChangeHub(database_url, background=False)
    with Engine(load_manifest(SEED_FIXED), database, tenant=TENANT, changes=hub) as writer:
        writer.consent.register_subject(PERSON)
        worker = Worker(database_url, tmp_path / "worker2.log")
        try:
            _give(writer)
            assert worker.ask(f"await {PERSON} allow {WAIT}")["seen"]  # worker 2's cache holds the allow
            assert worker.ask(f"state live {WAIT}")["state"] == "live"
            yield writer, worker
        finally:
            worker.close()


def _give(writer: Engine) -> None:
    notice = writer.notices.current("privacy-policy")
    assert notice is not None
    writer.consent.give(PERSON, "marketing-sms", notice_id=notice.notice_id, notice_version=notice.version)


def test_a_withdrawal_in_one_process_denies_in_the_other_within_the_stated_bound(
    workers: tuple[Engine, Worker], database_url: str, record_property: Callable[[str, object], None]
) -> None:
    writer, worker = workers
    writer.consent.withdraw(PERSON, "marketing-sms")
    committed = time.monotonic()
    seen = worker.ask(f"await {PERSON} deny {WAIT}")
    assert seen["seen"], "worker 2 never denied"
    bound = ChangeHub(database_url).stale_after  # the documented worst case (docs/runtime.md)
    last_allow = seen["last_other_started"]
    assert last_allow is None or last_allow < committed + bound, "an allow was served past the bound"
    latency_ms = (seen["at"] - committed) * 1000
    record_property("propagation_ms", round(latency_ms, 2))
    print(f"\n{writer.database.dialect}: worker 2 denied {latency_ms:.1f} ms after the commit")


def test_when_the_feed_is_killed_the_other_process_stops_serving_cached_allows(
    workers: tuple[Engine, Worker],
) -> None:
    writer, worker = workers
    if writer.database.dialect != "postgresql":
        pytest.skip("SQLite has no change-feed connection to kill: it is polled")
    with writer.database.transaction() as session:
        killed = session.scalars(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'consentgate-changes' AND datname = current_database()"
            )
        ).all()
    assert killed == [True]
    assert worker.ask(f"state failed {WAIT}")["state"] == "failed"
    writer.consent.withdraw(PERSON, "marketing-sms")  # its NOTIFY reaches no one in worker 2
    answer = worker.ask(f"decide {PERSON}")
    assert (answer["before"], answer["after"]) == ("failed", "failed"), "the feed came back too early"
    assert not answer["allowed"] and answer["reason"] == "withdrawn"  # read from the database
    assert worker.ask(f"state live {WAIT}")["state"] == "live"  # reconnected and caught up
    assert not worker.ask(f"decide {PERSON}")["allowed"]
