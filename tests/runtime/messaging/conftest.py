"""A messaging service over the real ledger, gate and audit log of the fixed seed app (both databases)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import ADDRESS_BOOK, VersionedKeys
from consentgate.runtime.messaging.config import MessagingConfig
from consentgate.runtime.messaging.fakes import InMemoryDirectory, InMemorySender
from consentgate.runtime.messaging.ports import MessageSender
from consentgate.runtime.messaging.service import MessagingService
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database

FIXED = Path(__file__).parents[3] / "examples" / "seed-case" / "fixed.yaml"
TENANT = "seed-app"
SECRET = b"seed-app-address-secret-0123456789"
PURPOSE = "marketing-sms"
UNSUBSCRIBE = "https://app.example/u/{token}"
_TOKEN = re.compile(r"https://app\.example/u/([A-Za-z0-9_\-]+)")


def tokens_in(message_text: str) -> list[str]:
    return _TOKEN.findall(message_text)


@dataclass
class World:
    engine: Engine
    clock: FakeClock
    sender: InMemorySender = field(default_factory=InMemorySender)
    directory: InMemoryDirectory = field(default_factory=InMemoryDirectory)
    ids: SequentialIds = field(default_factory=lambda: SequentialIds("msg"))

    def service(self, sender: MessageSender | None = None, **config: Any) -> MessagingService:
        engine = self.engine
        return MessagingService(
            dataclasses.replace(engine.context, ids=self.ids),
            ledger=engine.consent,
            gate=engine.gate,
            sender=sender or self.sender,
            directory=self.directory,
            config=MessagingConfig(unsubscribe_url=UNSUBSCRIBE, **config),
            address_keys=VersionedKeys.single(SECRET, label=ADDRESS_BOOK),
        )

    def user(self, messaging: MessagingService, subject: str, phone: str, *, consent: bool | None) -> None:
        """A registered user with a phone; `consent` True gives, False refuses, None never asked."""
        ledger = self.engine.consent
        ledger.register_subject(subject)
        self.directory.set(subject, "sms", phone)
        messaging.register_address(subject, "sms", phone)
        if consent is True:
            ledger.give(subject, PURPOSE, notice_id="privacy-policy", notice_version="2024-01")
        elif consent is False:
            ledger.refuse(subject, PURPOSE, notice_id="privacy-policy", notice_version="2024-01")

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        with self.engine.database.reading() as session:
            return [tuple(row) for row in session.execute(text(f"SELECT * FROM {table}"))]


@pytest.fixture
def world(database: Database) -> Iterator[World]:
    clock = FakeClock()  # Monday 2026-01-05 09:00 UTC: 17:00 in Beijing, outside quiet hours
    engine = Engine.from_manifest(
        FIXED, create=True, database_url=database.url, tenant=TENANT, clock=clock, ids=SequentialIds("e")
    )
    try:
        yield World(engine, clock)
    finally:
        engine.close()
