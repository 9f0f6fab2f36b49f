"""Address books: kept as keyed hashes for the owner's own features; a contact can never be messaged.

The last test replays the address-book case (../shared/seeds/address-book-case-en.txt): a user
uploads contacts including Wang Yu's number, and the site tries to text him "[XX Workplace] Wang
Yu, a former colleague labeled you…". Nothing leaves, and the denial is logged with the law.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from consentgate.law.catalog import load_catalog
from consentgate.runtime.errors import UnknownSubject
from consentgate.runtime.messaging.errors import InvalidAddress, UnknownChannel
from consentgate.runtime.messaging.schemas import MessageStatus
from consentgate.runtime.messaging.service import ADDRESS_BOOK_CITATIONS
from consentgate.text import Text
from tests.runtime.messaging.conftest import SECRET, World

SEED = Path("/work/shared/seeds/address-book-case-en.txt")
WANG_YU = "+86 139-1234-5678"
LIU = "13600000009"
OWN_TABLES = ("address_book_entries", "messaging_subject_addresses", "messages", "unsubscribe_tokens")


def _seed_sms() -> str:
    """The text message of the case, exactly as the judgment reports it."""
    if SEED.exists():
        story = SEED.read_text("utf-8")
        start = story.index("[XX Workplace]")
        return story[start : story.index("24 hours", start) + len("24 hours")]
    return (  # the same words, for checkouts without the shared seeds
        "[XX Workplace] Wang Yu, a former colleague labeled you as'has two brushes' and recommended 119 "
        "professional contacts to you. 36 friends including Liu, Dai and Wang are also waiting for you at "
        "XX, click the link Get the verification code, valid for 24 hours"
    )


def _everything_stored(world: World) -> str:
    tables = (*OWN_TABLES, "audit_records")
    return "\n".join(str(row) for table in tables for row in world.rows(table))


def test_an_address_book_is_stored_only_as_keyed_hashes(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "liu", LIU, consent=True)
    contacts = [WANG_YU, "13912345678", "0086 139 1234 5678", "Dai.Lei@Example.com", "not a number"]

    receipt = messaging.upload_address_book("liu", contacts)

    assert (receipt.stored, receipt.unreadable) == (2, 1)  # three spellings of one number, one email
    stored = _everything_stored(world)
    for raw in ("13912345678", "8613912345678", "dai.lei", "Dai.Lei", "example.com"):
        assert raw not in stored
    hashes = {row[2] for row in world.rows("address_book_entries")}
    keyed = hmac.new(SECRET, b"tel:+8613912345678", hashlib.sha256).hexdigest()
    plain = hashlib.sha256(b"tel:+8613912345678").hexdigest()
    assert keyed in hashes and plain not in hashes


def test_find_friends_matches_contacts_by_hash_for_their_owner_only(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "liu", LIU, consent=None)
    world.user(messaging, "alice", "13800000001", consent=None)
    world.user(messaging, "bob", "13800000002", consent=True)
    world.engine.consent.register_subject("dai")

    messaging.upload_address_book("liu", ["+86 138-0000-0001", WANG_YU, "13600000009"])

    assert [f.subject for f in messaging.find_friends("liu")] == ["alice"]  # not Wang Yu, not liu herself
    assert messaging.find_friends("dai") == []  # another person's upload serves only its owner
    messaging.upload_address_book("liu", [WANG_YU])  # a new upload replaces the book
    assert messaging.find_friends("liu") == []
    with pytest.raises(UnknownSubject):
        messaging.upload_address_book("stranger", [WANG_YU])


def test_send_to_address_reaches_a_consenting_subject_and_no_one_else(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "bob", "13800000002", consent=True)
    world.user(messaging, "carol", "13800000003", consent=None)
    hello = Text(zh="新课上线。", en="New course online.")

    to_bob = messaging.send_to_address("+86 138 0000 0002", channel="sms", text=hello, sent_by="liu")
    to_carol = messaging.send_to_address("13800000003", channel="sms", text=hello, sent_by="liu")

    assert to_bob.status is MessageStatus.SENT and [m.address for m in world.sender.sent] == ["13800000002"]
    assert to_carol.status is MessageStatus.DENIED and to_carol.citations == ADDRESS_BOOK_CITATIONS
    assert to_carol.subject == "carol" and len(world.sender.sent) == 1
    with pytest.raises(InvalidAddress):
        messaging.send_to_address("call me", channel="sms", text=hello)
    with pytest.raises(UnknownChannel):
        messaging.register_address("bob", "fax", "13800000002")


def test_replay_of_the_address_book_case_no_message_leaves_and_the_denial_is_logged(world: World) -> None:
    messaging = world.service()
    world.user(messaging, "liu", LIU, consent=True)  # the friend who used the site
    messaging.upload_address_book("liu", [WANG_YU, "13800000001", "dai@example.com"])
    sms = _seed_sms()
    assert sms.startswith("[XX Workplace] Wang Yu, a former colleague labeled you")
    invitation = Text(zh="【XX职场】王宇，一位前同事给你贴上了“有两把刷子”的标签……", en=sms)

    outcome = messaging.send_to_address(WANG_YU, channel="sms", text=invitation, sent_by="liu")

    assert world.sender.sent == []  # nothing leaves
    assert outcome.status is MessageStatus.DENIED and outcome.subject is None
    assert outcome.reason == "address-not-consenting"
    assert set(ADDRESS_BOOK_CITATIONS) <= set(outcome.citations)
    catalog = load_catalog()
    assert all(catalog.resolves(c) for c in outcome.citations)
    assert "通讯录" in outcome.message.zh and "contacts" in outcome.message.en
    [logged] = messaging.messages()
    assert (logged.status, logged.subject, logged.token_hash) == (MessageStatus.DENIED, None, None)
    assert logged.address_hash is not None
    world.engine.auditlog.flush()
    [denial] = [r for r in world.engine.auditlog.records() if r.kind == "messaging.denied"]
    assert denial.payload["citations"] == list(ADDRESS_BOOK_CITATIONS)
    assert denial.payload["sent_by"] == "liu" and denial.payload["message_id"] == logged.message_id
    assert world.engine.auditlog.verify().ok
    stored = _everything_stored(world)
    assert "13912345678" not in stored and "Wang Yu" not in stored and "王宇" not in stored
    # Nor does any campaign reach him: he is nobody the app knows.
    messaging.create_campaign("invite", channel="sms", text=invitation)
    assert messaging.send_campaign("invite").considered == 1 and len(world.sender.sent) == 1
    assert [m.address for m in world.sender.sent] == [LIU]
