"""Notice-service fixtures on a fresh database, with a real audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consentgate.manifest.loader import load_manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy, compile_policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database

SEED_FIXED = Path(__file__).parents[3] / "examples" / "seed-case" / "fixed.yaml"
TENANT = "seed-app"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return compile_policy(load_manifest(SEED_FIXED).manifest)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def audit(database: Database, clock: FakeClock) -> Iterator[AuditLog]:
    log = AuditLog(database, tenant=TENANT, clock=clock, ids=SequentialIds("audit"))
    try:
        yield log
    finally:
        log.close()


@pytest.fixture
def notices(database: Database, clock: FakeClock, audit: AuditLog, policy: Policy) -> NoticeService:
    """Knows which data and recipients each purpose uses (from the seed app's policy)."""
    return NoticeService(
        database, tenant=TENANT, clock=clock, ids=SequentialIds("n"), audit=audit, policy=policy
    )


@pytest.fixture
def bare_notices(database: Database, clock: FakeClock, audit: AuditLog) -> NoticeService:
    """Knows nothing about purposes: must treat a data or recipient change as affecting all of them."""
    return NoticeService(database, tenant=TENANT, clock=clock, ids=SequentialIds("n"), audit=audit)
