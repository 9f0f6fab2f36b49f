"""Ledger fixtures: the fixed seed-case app (its manifest, policy and first notice) on a fresh database."""

from __future__ import annotations

import pytest

from consentgate.manifest.models import Manifest
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.notices.service import NoticeService
from consentgate.runtime.policy import Policy
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.text import Text
from tests.runtime.conftest import TENANT

NOTICE = "privacy-policy"


@pytest.fixture
def notices(database: Database, clock: FakeClock, audit: AuditLog, policy: Policy) -> NoticeService:
    service = NoticeService(
        database, tenant=TENANT, clock=clock, ids=SequentialIds("notice"), audit=audit, policy=policy
    )
    publish_notice(service, policy, "2024-01")
    return service


@pytest.fixture
def ledger(
    database: Database,
    clock: FakeClock,
    audit: AuditLog,
    notices: NoticeService,
    policy: Policy,
    manifest: Manifest,
) -> ConsentLedger:
    return ConsentLedger(
        database,
        tenant=TENANT,
        clock=clock,
        ids=SequentialIds("event"),
        audit=audit,
        notices=notices,
        policy=policy,
        manifest=manifest,
    )


def publish_notice(
    notices: NoticeService,
    policy: Policy,
    version: str,
    *,
    leave_out: frozenset[str] = frozenset(),
    wording: str = "",
) -> None:
    """Publishes the privacy policy covering every purpose of the policy, with their data and
    recipients — except the data items or recipients in `leave_out` (a material change)."""
    purposes = policy.purposes.values()
    notices.publish(
        NOTICE,
        version,
        text=Text(zh=f"个人信息处理规则{wording}", en=f"Personal information processing rules{wording}"),
        purposes=[p.id for p in purposes],
        data={d for p in purposes for d in p.data} - leave_out,
        recipients={r for p in purposes for r in p.recipients} - leave_out,
    )
