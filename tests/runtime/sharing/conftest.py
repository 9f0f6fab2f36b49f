"""A sharing service over the real services of the fixed seed app, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.service import SharingService

FIXED = Path(__file__).parents[3] / "examples" / "seed-case" / "fixed.yaml"
SHARE = "share-affiliates"
APP_A = "affiliate-app-a"
APP_B = "affiliate-app-b"
PHONE = "13800138000"
ORDERS = [{"order": "o-1", "course": "商务英语", "paid": "1999.00"}]


def start_engine(database_url: str, sink: InMemorySink | None = None) -> Engine:
    return Engine.from_manifest(
        FIXED,
        create=True,
        database_url=database_url,
        clock=FakeClock(),
        ids=SequentialIds("e"),
        sharing_sink=sink,
    )


@dataclass
class World:
    engine: Engine
    sharing: SharingService
    sink: InMemorySink

    def user(self, subject: str = "u1") -> str:
        """A registered user with an account and an order, as the seed case's plaintiff had."""
        self.engine.consent.register_subject(subject)
        self.engine.profiles.set(subject, "phone", PHONE, purposes=["online-courses"], consent_event_id=None)
        self.engine.profiles.set(
            subject, "account-password", "hash$secret", purposes=["online-courses"], consent_event_id=None
        )
        self.engine.profiles.set(
            subject, "orders", ORDERS, purposes=["online-courses"], consent_event_id=None
        )
        return subject

    def consent(
        self,
        subject: str,
        recipient: str,
        data: tuple[str, ...] = ("phone", "orders"),
        mechanism: Mechanism = Mechanism.SEPARATE,
    ) -> str:
        notice = self.engine.notices.current("privacy-policy")
        assert notice is not None
        return self.engine.consent.give(
            subject,
            SHARE,
            notice_id=notice.notice_id,
            notice_version=notice.version,
            data=data,
            recipient=recipient,
            mechanism=mechanism,
        ).event_id

    def audit_records(self, prefix: str = "sharing.") -> list[dict[str, object]]:
        return [
            dict(r.payload) | {"kind": r.kind}
            for r in self.engine.auditlog.records(limit=10_000)
            if r.kind.startswith(prefix)
        ]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    sink = InMemorySink()
    engine = start_engine(database_url, sink)
    try:
        yield World(engine, engine.sharing, sink)
    finally:
        engine.close()
