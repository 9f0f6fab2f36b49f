"""A dump of the database alone reverses no address-book hash and no recipient pseudonym.

The attack, as someone holding a full dump would run it (on SQLite and PostgreSQL):

1. Read every row of every table; every string, byte value and JSON leaf is a piece of evidence.
2. Look for the key among the evidence: every value that decodes (as text, hex or base64) to 16 bytes
   or more is a candidate, used as it is and through every derivation the code applies (the old
   `HMAC(secret, "consentgate:address-book")`, and today's HKDF per tenant and use). A candidate is
   kept only if it reproduces a pair the dump itself gives away: a subject whose id is a phone number
   next to the hash of their own address, or a transfer's subject id next to its pseudonym. (A key
   that fails every known pair fails every unknown one too, so this is what makes trying every
   candidate cheap, not a shortcut that could hide a hit.)
3. Enumerate the number block the real numbers sit in (10^5 numbers): unkeyed SHA-256 of every
   spelling, and HMAC under every kept key, against every address-book hash; and every number as a
   subject id, for every recipient, against every pseudonym — including the one a deletion notice
   keeps after the person was erased.

Without the key the attack recovers nothing. Given a dump that holds the key (as every dump did
before migration 0011, in `sharing_secrets`), the same attack recovers every number and every
subject: the test can fail.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from consentgate.runtime.consent.schemas import Mechanism
from consentgate.runtime.engine import Engine
from consentgate.runtime.keys import ADDRESS_BOOK, PSEUDONYMS, KeyEntry, KeyRing
from consentgate.runtime.keys.derive import use_key
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.runtime.sharing.fakes import InMemorySink
from tests.runtime.conftest import SEED_FIXED

TENANT = "seed-app"
BLOCK = "138001"  # 13800100000 … 13800199999: the 10^5 numbers the attacker enumerates
SHARE = "share-affiliates"
RECIPIENTS = ("affiliate-app-a", "affiliate-app-b")
HEX64 = frozenset("0123456789abcdef")


def number(suffix: int) -> str:
    return f"{BLOCK}{suffix:05d}"


def tel(phone: str) -> str:
    return f"tel:+86{phone}"


def pseudonym_message(tenant: str, recipient: str, subject: str) -> bytes:
    return "".join(f"{len(part)}:{part}" for part in (tenant, recipient, subject)).encode()


# ---------------------------------------------------------------------------------------- the data


@dataclass
class Filled:
    users: list[str]  # subject ids, each the person's own mobile number
    erased: str  # a user who received transfers and was then erased
    strangers: list[str]  # numbers found only in address books, of people who never used the app
    shared: set[str] = field(default_factory=set)  # users whose data went to a recipient
    books: dict[str, list[str]] = field(default_factory=dict)  # owner -> the numbers they uploaded

    def hashed(self) -> set[str]:
        """The numbers whose hash the store must still hold: live users' own, and their books'."""
        live = set(self.users) - {self.erased}
        in_books = {n for owner, book in self.books.items() if owner in live for n in book}
        return (live | in_books) - {self.erased}


def fill(engine: Engine) -> Filled:
    rng = random.Random(12)
    picked = [number(n) for n in rng.sample(range(100_000), 40)]
    users, strangers = picked[:12], picked[12:]
    notice = engine.notices.current("privacy-policy")
    assert notice is not None
    filled = Filled(users=users, erased=users[0], strangers=strangers)
    for position, user in enumerate(users):
        engine.consent.register_subject(user)
        engine.messaging.register_address(user, "sms", user)
        engine.profiles.set(user, "phone", user, purposes=["online-courses"], consent_event_id=None)
        orders = [{"order": f"o-{position}", "course": "商务英语", "paid": "1999.00"}]
        engine.profiles.set(user, "orders", orders, purposes=["online-courses"], consent_event_id=None)
        book = [*rng.sample(strangers, 6), *rng.sample(users, 3)]
        filled.books[user] = book
        engine.messaging.upload_address_book(user, [f"+86 {n[:3]}-{n[3:7]}-{n[7:]}" for n in book])
        if position % 2 == 0:  # half of them share with one or both affiliates
            for recipient in RECIPIENTS[: 1 + position % 4 // 2]:
                engine.consent.give(
                    user,
                    SHARE,
                    notice_id=notice.notice_id,
                    notice_version=notice.version,
                    data=("phone", "orders"),
                    recipient=recipient,
                    mechanism=Mechanism.SEPARATE,
                )
                assert engine.sharing.transfer(user, SHARE, recipient, ["phone", "orders"]).delivered
            filled.shared.add(user)
    request = engine.rights.request(filled.erased, "delete")
    engine.rights.verify_identity(request.request_id)
    engine.rights.fulfil(request.request_id)
    engine.auditlog.flush()
    return filled


# ---------------------------------------------------------------------------------------- the dump


def dump(engine: Engine) -> list[dict[str, Any]]:
    """Every row of every table the database holds, as the attacker's copy."""
    database = engine.database
    rows: list[dict[str, Any]] = []
    with database.reading() as session:
        for table in inspect(database.engine).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():
                rows.append({"__table__": table, **dict(row)})
    return rows


def leaves(value: Any) -> Iterator[str | bytes]:
    if value is None:
        return
    if isinstance(value, (bytes, memoryview)):
        yield bytes(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from leaves(inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from leaves(inner)
    elif isinstance(value, str):
        yield value
        if value[:1] in ("[", "{"):  # JSON kept as text (SQLite): its leaves are evidence too
            yield from leaves(_json_or_none(value))
    elif isinstance(value, datetime):
        yield value.isoformat()
    else:
        yield str(value)


@dataclass(frozen=True)
class Evidence:
    strings: frozenset[str]
    blobs: frozenset[bytes]
    tenants: frozenset[str]
    subject_addresses: tuple[tuple[str, str], ...]  # (subject id, address hash)
    transfers: tuple[tuple[str, str, str], ...]  # (subject id, recipient, pseudonym)
    address_hashes: frozenset[str]  # every hash of a contact point in the dump
    pseudonyms: frozenset[tuple[str, str]]  # (recipient, pseudonym), erased people's included


def evidence(rows: list[dict[str, Any]]) -> Evidence:
    strings: set[str] = set()
    blobs: set[bytes] = set()
    for row in rows:
        for cell in row.values():
            for leaf in leaves(cell):
                (blobs.add(leaf) if isinstance(leaf, bytes) else strings.add(leaf))

    def of(name: str) -> list[dict[str, Any]]:
        return [r for r in rows if r["__table__"] == name]

    return Evidence(
        strings=frozenset(strings),
        blobs=frozenset(blobs),
        tenants=frozenset(str(r["tenant_id"]) for r in rows if r.get("tenant_id")),
        subject_addresses=tuple((r["subject"], r["address_hash"]) for r in of("messaging_subject_addresses")),
        transfers=tuple((r["subject"], r["recipient"], r["subject_ref"]) for r in of("transfers")),
        address_hashes=frozenset(
            [r["address_hash"] for r in of("messaging_subject_addresses")]
            + [r["contact_hash"] for r in of("address_book_entries")]
            + [r["address_hash"] for r in of("messages") if r["address_hash"]]
        ),
        pseudonyms=frozenset(
            (r["recipient"], r["subject_ref"]) for r in of("transfers") + of("recipient_notifications")
        ),
    )


def _json_or_none(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------- the attack


def materials(found: Evidence) -> set[bytes]:
    """Everything in the dump that could be key material: 16 bytes or more, as text, hex or base64."""
    out = {blob for blob in found.blobs if len(blob) >= 16}
    for value in found.strings:
        if len(value) < 16:
            continue
        out.add(value.encode())
        if len(value) % 2 == 0 and set(value.lower()) <= HEX64:
            out.add(bytes.fromhex(value))
        for candidate in (value, value.rpartition(":")[2]):  # a key-ring entry is `<version>:<key>`
            try:
                decoded = base64.urlsafe_b64decode(candidate + "=" * (-len(candidate) % 4))
            except (binascii.Error, ValueError):
                continue
            if len(decoded) >= 16:
                out.add(decoded)
    return out


def derived(material: bytes, tenants: Iterable[str]) -> Iterator[bytes]:
    """The key as it is, and through every derivation the code (old and new) applies to a secret."""
    yield material
    yield hmac.new(material, f"consentgate:{ADDRESS_BOOK}".encode(), hashlib.sha256).digest()
    for tenant in tenants:
        for label in (ADDRESS_BOOK, PSEUDONYMS):
            yield use_key(KeyEntry("attack", material), tenant=tenant, label=label)


def working_keys(found: Evidence) -> tuple[set[bytes], set[bytes]]:
    """(address keys, pseudonym keys) among the candidates that reproduce a pair the dump gives away."""
    address_keys: set[bytes] = set()
    pseudonym_keys: set[bytes] = set()
    for material in materials(found):
        for key in derived(material, found.tenants):
            if any(
                hmac.new(key, tel(s).encode(), "sha256").hexdigest() == h for s, h in found.subject_addresses
            ):
                address_keys.add(key)
            for tenant in found.tenants:
                if any(
                    hmac.new(key, pseudonym_message(tenant, r, s), "sha256").hexdigest() == ref
                    for s, r, ref in found.transfers
                ):
                    pseudonym_keys.add(key)
    return address_keys, pseudonym_keys


@dataclass(frozen=True)
class Recovered:
    numbers: frozenset[str]  # numbers whose hash in the dump was reversed
    subjects: frozenset[str]  # subjects whose pseudonym in the dump was reversed


def attack(found: Evidence) -> Recovered:
    address_keys, pseudonym_keys = working_keys(found)
    space = [number(n) for n in range(100_000)]
    numbers: set[str] = set()
    for phone in space:
        spellings = (phone, f"86{phone}", f"+86{phone}", tel(phone))
        if any(hashlib.sha256(s.encode()).hexdigest() in found.address_hashes for s in spellings):
            numbers.add(phone)
    for key in address_keys:
        numbers |= {
            p for p in space if hmac.digest(key, tel(p).encode(), "sha256").hex() in found.address_hashes
        }
    subjects: set[str] = set()
    for key in pseudonym_keys:
        for tenant in found.tenants:
            for recipient in RECIPIENTS:
                refs = {ref for r, ref in found.pseudonyms if r == recipient}
                subjects |= {
                    p
                    for p in space
                    if hmac.digest(key, pseudonym_message(tenant, recipient, p), "sha256").hex() in refs
                }
    return Recovered(frozenset(numbers), frozenset(subjects))


# ---------------------------------------------------------------------------------------- the tests


@contextmanager
def filled_engine_at(database_url: str) -> Iterator[tuple[Engine, Filled]]:
    with Engine.from_manifest(
        SEED_FIXED,
        create=True,
        database_url=database_url,
        tenant=TENANT,
        clock=FakeClock(),
        ids=SequentialIds("d"),
        sharing_sink=InMemorySink(),
    ) as engine:
        yield engine, fill(engine)


@pytest.fixture
def filled_engine(database_url: str) -> Iterator[tuple[Engine, Filled]]:
    with filled_engine_at(database_url) as filled:
        yield filled


def test_a_database_dump_alone_reverses_no_address_hash_and_no_pseudonym(
    filled_engine: tuple[Engine, Filled], key_ring: KeyRing
) -> None:
    engine, filled = filled_engine
    found = evidence(dump(engine))
    # The dump is a real one: it holds the hashes and pseudonyms the attack aims at, the erased
    # person's pseudonym among them (a deletion notice keeps it), and the key nowhere.
    assert len(found.address_hashes) >= len(filled.hashed()) > 20
    assert len(found.pseudonyms) >= len(filled.shared) > 3
    assert filled.erased not in found.strings
    assert not materials(found) & {entry.material for entry in key_ring}

    assert len(materials(found)) > 100  # plenty of candidates were tried: none of them is the key

    assert attack(found) == Recovered(frozenset(), frozenset())

    # A dump that holds the key (as `sharing_secrets` held the tenant's, in hex) gives everything
    # away to the same attack: every number whose hash it holds and every subject a recipient knows
    # by a pseudonym — the erased person too.
    leaked = dataclasses.replace(found, strings=found.strings | {key_ring.current.material.hex()})
    with_key = attack(leaked)
    assert with_key.numbers == frozenset(filled.hashed())  # the erased person's went with the erasure
    assert with_key.subjects == frozenset(filled.shared)  # the erased person's pseudonym included


def test_the_sqlite_files_hold_no_key_in_any_form(tmp_path: Path, key_ring: KeyRing) -> None:
    """Below the rows: not a byte of the database, its WAL or shared-memory file is key material."""
    with filled_engine_at(f"sqlite:///{tmp_path / 'consentgate.db'}") as (engine, _):
        engine.database.scrub()
        held = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("consentgate.db"))
    assert len(held) > 100_000
    for entry in key_ring:
        for label in (ADDRESS_BOOK, PSEUDONYMS):
            key = use_key(entry, tenant=TENANT, label=label)
            for form in (entry.material, key, entry.material.hex().encode(), key.hex().encode()):
                assert form not in held
        assert entry.text().rpartition(":")[2].encode() not in held
