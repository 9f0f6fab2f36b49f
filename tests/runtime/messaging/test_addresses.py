"""Contact normalisation and hashing: one person, however their number was typed; no hash without a key."""

from __future__ import annotations

import pytest

from consentgate.runtime.keys import ADDRESS_BOOK, VersionedKeys
from consentgate.runtime.messaging.addresses import AddressHasher, normalise_address, normalise_contact
from consentgate.runtime.messaging.errors import InvalidAddress, WeakAddressSecret


@pytest.mark.parametrize(
    "raw", ["13912345678", "+86 139-1234-5678", "0086 139 1234 5678", "(+86)139.1234.5678", "+8613912345678"]
)
def test_spellings_of_one_mainland_number_normalise_alike(raw: str) -> None:
    assert normalise_contact(raw) == "tel:+8613912345678"


def test_emails_are_case_folded_and_garbage_is_not_a_contact() -> None:
    assert normalise_contact(" Dai.Lei@Example.COM ") == "mailto:dai.lei@example.com"
    assert normalise_contact("Wang Yu") is None
    assert normalise_contact("12") is None
    assert normalise_contact("a@b") is None


def test_a_malformed_address_is_a_typed_bilingual_error() -> None:
    with pytest.raises(InvalidAddress) as bad:
        normalise_address("sms", "call me maybe")
    assert bad.value.code == "messaging.invalid_address" and "sms" in bad.value.text.zh
    assert normalise_address("email", "A@B.cn") == "mailto:a@b.cn"


def hasher(*keys: tuple[str, bytes]) -> AddressHasher:
    return AddressHasher(VersionedKeys(ADDRESS_BOOK, keys[0][0], dict(keys)))


def test_hashes_depend_on_the_tenant_key_and_short_keys_are_refused() -> None:
    one, two = hasher(("v1", b"k" * 32)), hasher(("v1", b"j" * 32))
    assert one.hash("tel:+8613912345678") != two.hash("tel:+8613912345678")
    assert one.hash("tel:+8613912345678") == hasher(("v1", b"k" * 32)).hash("tel:+8613912345678")
    with pytest.raises(WeakAddressSecret) as weak:
        hasher(("v1", b"short"))
    assert "16" in weak.value.text.en and "16" in weak.value.text.zh


def test_a_contact_is_hashed_under_every_live_version_and_the_current_one_is_first() -> None:
    rotated = hasher(("v2", b"n" * 32), ("v1", b"k" * 32))
    hashes = rotated.hashes("tel:+8613912345678")
    assert list(hashes) == ["v2", "v1"]
    assert hashes["v1"] == hasher(("v1", b"k" * 32)).hash("tel:+8613912345678")  # old hashes still match
    assert rotated.hash("tel:+8613912345678") == hashes["v2"] != hashes["v1"]
