"""Notice-service fixtures on a fresh database, with a real audit log."""

from __future__ import annotations

import pytest

from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from tests.runtime.conftest import TENANT


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
