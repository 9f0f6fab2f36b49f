"""The profile store as the app gets it: a real Engine (ledger, notices, gate, audit log) per tenant.

The gate the store asks is the real one over the real ledger, so a test that a read follows consent
fails when any of them stops following it — not only when the store does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Protocol

import pytest

from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.runtime.auditlog.schemas import AuditRecord
from consentgate.runtime.engine import Engine
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.profiles.service import Deriver, ProfileStore
from consentgate.store.database import Database
from tests.runtime.conftest import NOTICE, SEED_FIXED

SUBJECT = "u1"
NOTICE_VERSION = "2024-01"  # the privacy policy's version in the seed manifests


@dataclass
class World:
    """One tenant's engine, with the person `u1` registered."""

    engine: Engine

    @property
    def store(self) -> ProfileStore:
        return self.engine.profiles

    def give(self, purpose: str, *, data: Iterable[str] = (), subject: str = SUBJECT) -> str:
        """Records consent through the real ledger; returns the event id an attribute may rest on."""
        given = self.engine.consent.give(
            subject, purpose, notice_id=NOTICE, notice_version=NOTICE_VERSION, data=data
        )
        return given.event_id

    def withdraw(self, purpose: str, *, subject: str = SUBJECT) -> None:
        self.engine.consent.withdraw(subject, purpose)

    def last_seq(self) -> int:
        """Where the tenant's audit chain ends now: what `profile_changes` may start after."""
        records = self.engine.auditlog.records(limit=1_000_000)
        return records[-1].seq if records else 0

    def profile_changes(self, *, after_seq: int = 0) -> list[AuditRecord]:
        """The profile store's records in the tenant's chain, as stored (people named by their ref)."""
        records = self.engine.auditlog.records(after_seq=after_seq, limit=1_000_000)
        return [r for r in records if r.kind.startswith("profile.")]


class OpenWorld(Protocol):
    def __call__(
        self,
        tenant: str = ...,
        *,
        loaded: LoadedManifest | None = ...,
        derivers: Mapping[str, Deriver] | None = ...,
    ) -> World: ...


@pytest.fixture
def open_world(database: Database) -> Iterator[OpenWorld]:
    """Opens a tenant's engine over the test database (the seed app unless `loaded` says otherwise);
    every engine opened is closed at the end of the test."""
    with ExitStack() as engines:

        def open_one(
            tenant: str = "t1",
            *,
            loaded: LoadedManifest | None = None,
            derivers: Mapping[str, Deriver] | None = None,
        ) -> World:
            engine = Engine(
                loaded or load_manifest(SEED_FIXED),
                database,
                tenant=tenant,
                clock=FakeClock(),
                ids=SequentialIds(f"{tenant}-e"),
                derivers=derivers,
            )
            engines.callback(engine.close)
            engine.consent.register_subject(SUBJECT)
            return World(engine)

        yield open_one


@pytest.fixture
def world(open_world: OpenWorld) -> World:
    return open_world()


def payloads(records: Iterable[AuditRecord]) -> list[tuple[str, dict[str, Any]]]:
    return [(r.kind, dict(r.payload)) for r in records]
