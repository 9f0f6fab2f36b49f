"""Audit logs over the parametrized `database` (SQLite and PostgreSQL), closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database

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
