"""Rotating the key on a real Engine (SQLite and PostgreSQL): new writes take the new version, what the
old one made is still found, recipients keep the pseudonym they know, and retiring a version forgets
exactly what only it could match."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import KeyEntry, KeyRing, StaticKeyProvider
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.sharing.fakes import InMemorySink
from consentgate.runtime.sharing.schemas import NotificationReason
from consentgate.text import Text
from tests.runtime.conftest import SEED_FIXED

V1 = KeyEntry("v1", bytes(range(32)))
V2 = KeyEntry("v2", bytes(range(100, 132)))
FIRST, ROTATED, RETIRED = KeyRing((V1,)), KeyRing((V2, V1)), KeyRing((V2,))
PHONES = {"u1": "13800000001", "u2": "13800000002", "u3": "13800000003", "u4": "13800000004"}
SHARE, APP_A, APP_B = "share-affiliates", "affiliate-app-a", "affiliate-app-b"
OFFER = Text(zh="优惠", en="Offer")


@dataclass
class Deployment:
    """The same database started again and again under different key rings, as an operator would."""

    database_url: str
    sink: InMemorySink

    def start(self, ring: KeyRing) -> Engine:
        return Engine.from_manifest(
            SEED_FIXED,
            create=True,
            database_url=self.database_url,
            clock=FakeClock(),
            ids=SequentialIds(f"r{len(ring.entries)}{ring.current.version}"),
            sharing_sink=self.sink,
            keys=StaticKeyProvider(ring),
        )


@pytest.fixture
def deployment(database_url: str) -> Deployment:
    return Deployment(database_url, InMemorySink())


def _user(engine: Engine, subject: str) -> None:
    engine.consent.register_subject(subject)
    engine.messaging.register_address(subject, "sms", PHONES[subject])
    engine.profiles.set(subject, "phone", PHONES[subject], purposes=["online-courses"], consent_event_id=None)


def _share(engine: Engine, subject: str, recipient: str) -> str:
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    engine.consent.give(
        subject,
        SHARE,
        notice_id=notice.notice_id,
        notice_version=notice.version,
        data=("phone",),
        recipient=recipient,
        mechanism=Mechanism.SEPARATE,
    )
    return engine.sharing.transfer(subject, SHARE, recipient, ["phone"]).subject_ref


def _friends(engine: Engine, owner: str) -> list[str]:
    return [friend.subject for friend in engine.messaging.find_friends(owner)]


def _owner_of(engine: Engine, phone: str) -> str | None:
    """Whom an address finds (a denial still names the subject it found)."""
    return engine.messaging.send_to_address(phone, channel="sms", text=OFFER).subject


def test_after_a_rotation_old_hashes_are_found_and_new_ones_are_written_under_every_live_version(
    deployment: Deployment,
) -> None:
    with deployment.start(FIRST) as engine:
        for subject in ("u1", "u2"):
            _user(engine, subject)
        engine.messaging.upload_address_book("u1", [PHONES["u2"], PHONES["u3"]])  # u3 is not a user yet
    with deployment.start(ROTATED) as engine:
        assert _friends(engine, "u1") == ["u2"]  # a v1 book meets a v1 address
        assert _owner_of(engine, PHONES["u2"]) == "u2"
        for subject in ("u3", "u4"):
            _user(engine, subject)  # written under v2 and v1
        assert _friends(engine, "u1") == ["u2", "u3"]  # the v1 book meets u3's address on v1
        engine.messaging.upload_address_book("u4", [PHONES["u2"], PHONES["u3"]])
        assert _friends(engine, "u4") == ["u2", "u3"]
        versions = _versions(engine, "address_book_entries", "u4")
        assert versions == {"v1": 2, "v2": 2}
    with deployment.start(RETIRED) as engine:
        # Retired v1: what only v1 could match is gone from every lookup, what v2 wrote stays.
        assert _friends(engine, "u4") == ["u3"]
        assert _friends(engine, "u1") == []
        assert _owner_of(engine, PHONES["u2"]) is None and _owner_of(engine, PHONES["u3"]) == "u3"
        # The rows only v1 could reach are deleted on request (what to do when a key leaked).
        removed = engine.messaging.forget_retired_key_versions()
        assert removed == {"address_book_entries": 4, "messaging_subject_addresses": 4}
        assert _versions(engine, "address_book_entries", "u4") == {"v2": 2}
        assert _friends(engine, "u4") == ["u3"]


def test_a_recipient_keeps_the_pseudonym_it_first_received_through_rotation_and_retirement(
    deployment: Deployment,
) -> None:
    with deployment.start(FIRST) as engine:
        _user(engine, "u1")
        known_to_a = _share(engine, "u1", APP_A)
    with deployment.start(ROTATED) as engine:
        assert engine.sharing.transfer("u1", SHARE, APP_A, ["phone"]).subject_ref == known_to_a
        known_to_b = _share(engine, "u1", APP_B)  # first time for B: the current version's pseudonym
        assert known_to_b != known_to_a
        rows = {(t.recipient, t.subject_ref) for t in engine.sharing.transfers("u1")}
        assert rows == {(APP_A, known_to_a), (APP_B, known_to_b)}
        assert _versions_of_transfers(engine) == {APP_A: {"v1"}, APP_B: {"v2"}}
    with deployment.start(RETIRED) as engine:
        request = engine.rights.request("u1", "delete")
        engine.rights.verify_identity(request.request_id)
        engine.rights.fulfil(request.request_id)
    told = {
        (n.recipient, n.subject_ref)
        for recipient in (APP_A, APP_B)
        for n in deployment.sink.notified(recipient)
        if n.reason is NotificationReason.DELETION
    }
    # The deletion reaches each recipient under the pseudonym it knows, v1's included after v1 retired.
    assert told == {(APP_A, known_to_a), (APP_B, known_to_b)}


def _versions(engine: Engine, table: str, owner: str) -> dict[str, int]:
    with engine.database.reading() as session:
        rows = session.execute(
            text(f"SELECT key_version, count(*) FROM {table} WHERE owner = :o GROUP BY key_version"),
            {"o": owner},
        )
        return {version: count for version, count in rows.tuples()}


def _versions_of_transfers(engine: Engine) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with engine.database.reading() as session:
        for recipient, version in session.execute(
            text("SELECT recipient, key_version FROM transfers")
        ).tuples():
            found.setdefault(recipient, set()).add(version)
    return found
