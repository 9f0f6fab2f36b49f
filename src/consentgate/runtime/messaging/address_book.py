"""People's own addresses and their uploaded address books, kept only as keyed hashes.

An uploaded address book serves its owner's own features ("which of my contacts use the app"): a
number found in it is never a way to reach its holder (the Wang Yu case: Civil Code 1033, PIPL 13
and 14). Every contact point is stored once per live key version, so lookups work across a rotation
(see `addresses.py`); the keys come from outside the database (docs/keys.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from consentgate.manifest.references import hint
from consentgate.runtime.messaging.addresses import AddressHasher, normalise_address, normalise_contact
from consentgate.runtime.messaging.errors import UnknownChannel
from consentgate.runtime.messaging.ports import ChangeLog
from consentgate.runtime.messaging.repository import MessagingRepository
from consentgate.runtime.messaging.schemas import AddressBookReceipt, Friend
from consentgate.runtime.ports import Clock
from consentgate.store.database import Database

# Channels a subject can register an own address on (what `normalise_address` understands).
ADDRESSABLE = ("sms", "email", "push")


class AddressBook:
    """Registers subjects' own addresses, keeps owners' uploaded contacts, and matches the two."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        audit: ChangeLog,
        hasher: AddressHasher,
        require_subject: Callable[[str], None],
    ) -> None:
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._audit = audit
        self._hasher = hasher
        self._require_subject = require_subject

    def subject_at(self, channel: str, address: str) -> tuple[str, str | None]:
        """(the address's hash under the current key, the subject whose own address it is, or None)."""
        hashes = self._hasher.hashes(normalise_address(channel, address))
        with self._db.reading() as session:
            subject = MessagingRepository(session, tenant=self._tenant).subject_at(channel, hashes)
        return hashes[self._hasher.current], subject

    def register_address(self, subject: str, channel: str, address: str) -> None:
        """Records (as keyed hashes) that `address` is the subject's own: how an address finds its person."""
        if channel not in ADDRESSABLE:
            raise UnknownChannel.from_key(
                "messaging.unaddressable_channel",
                channel=channel,
                hint=hint(channel, ADDRESSABLE),
                known=", ".join(ADDRESSABLE),
            )
        hashes = self._hasher.hashes(normalise_address(channel, address))
        self._require_subject(subject)
        with self._db.transaction() as session:
            MessagingRepository(session, tenant=self._tenant).set_subject_address(
                subject, channel, hashes, self._clock.now()
            )
            self._audit.record_change(
                session, "messaging.address_registered", {"subject": subject, "channel": channel}
            )

    def upload(self, owner_subject: str, contacts: Iterable[str]) -> AddressBookReceipt:
        """Keeps the owner's contacts as keyed hashes, for the owner's own features; raw entries are dropped."""
        self._require_subject(owner_subject)
        normalised: set[str] = set()
        unreadable = 0
        for contact in contacts:
            found = normalise_contact(contact)
            if found is None:
                unreadable += 1
            else:
                normalised.add(found)
        rows = sorted(
            (version, digest)
            for entry in normalised
            for version, digest in self._hasher.hashes(entry).items()
        )
        with self._db.transaction() as session:
            MessagingRepository(session, tenant=self._tenant).replace_address_book(
                owner_subject, rows, self._clock.now()
            )
            self._audit.record_change(
                session,
                "messaging.address_book_uploaded",
                {"owner": owner_subject, "stored": len(normalised), "unreadable": unreadable},
            )
        return AddressBookReceipt(owner_subject, len(normalised), unreadable)

    def forget_retired_versions(self) -> dict[str, int]:
        """Deletes the contact points hashed under a version the key ring no longer holds (after a key
        leaked, say): no lookup can reach them any more, and whoever holds that key could reverse them."""
        with self._db.transaction() as session:
            removed = MessagingRepository(session, tenant=self._tenant).forget_versions_except(
                self._hasher.versions
            )
            self._audit.record_change(
                session,
                "messaging.key_versions_forgotten",
                {"live": list(self._hasher.versions), "removed": removed},
            )
        return removed

    def find_friends(self, owner_subject: str) -> list[Friend]:
        """Which of the owner's contacts already use the app (matched by hash), for the owner alone."""
        self._require_subject(owner_subject)
        with self._db.reading() as session:
            repo = MessagingRepository(session, tenant=self._tenant)
            matches = repo.friends(owner_subject, self._hasher.versions)
            known = repo.known_subjects(sorted({subject for subject, _ in matches}))
        friends: dict[str, Friend] = {}
        for subject, channel in matches:
            if subject in known:
                friends.setdefault(subject, Friend(subject, channel))
        return list(friends.values())
