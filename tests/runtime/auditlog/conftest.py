"""Audit logs over the parametrized `database` (SQLite and PostgreSQL), closed after each test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from consentgate.runtime.auditlog.repository import AuditRepository
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from tests.runtime.conftest import PG_ADMIN_URL

MakeLog = Callable[..., AuditLog]


@pytest.fixture
def make_log(database: Database) -> Iterator[MakeLog]:
    logs: list[AuditLog] = []

    def make(tenant: str = "default", db: Database | None = None, **options: Any) -> AuditLog:
        log = AuditLog(
            db or database, tenant=tenant, clock=FakeClock(), ids=SequentialIds(f"{tenant}-rec"), **options
        )
        logs.append(log)
        return log

    yield make
    for log in logs:
        log.close()


def write_changes(database: Database, log: AuditLog, count: int, kind: str = "consent.given") -> None:
    """`count` changes, each in its own transaction, as the ledger would write them."""
    for n in range(count):
        with database.transaction() as session:
            log.record_change(session, kind, {"n": n, "subject": f"user-{n}", "说明": "同意"})


def eventually(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@contextmanager
def chain_locked(database: Database, tenant: str) -> Iterator[None]:
    """Another writer holds the tenant's chain head: the flusher waits, as on a stalled database."""
    with database.transaction() as session:
        AuditRepository(tenant).lock_head(session)
        yield


@contextmanager
def outage(database: Database) -> Iterator[None]:
    """The database refuses every connection until the block ends (PostgreSQL: connections disallowed
    and the open ones killed; SQLite: the file moved away and garbage in its place)."""
    if database.dialect == "postgresql":
        name = database.engine.url.database
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                )
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
        return
    path = Path(str(database.engine.url.database))
    database.engine.dispose()  # no open connection keeps writing to the file moved away
    moved = [(p, p.with_name(p.name + ".away")) for p in (path, *path.parent.glob(path.name + "-*"))]
    for original, away in moved:
        original.rename(away)
    # Not a database: every connection attempt fails, and none creates an empty one in its place.
    path.write_bytes(b"down" * 1024)
    try:
        yield
    finally:
        # The main file last, by one rename over the placeholder: no attempt meanwhile sees an
        # empty database (it would keep it open and find no tables).
        for original, away in reversed(moved):
            away.rename(original)
