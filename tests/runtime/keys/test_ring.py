"""The key ring's text form: versions, the current one first, and errors that never quote a key."""

from __future__ import annotations

import base64

import pytest

from consentgate.i18n import message
from consentgate.runtime.keys import KeyEntry, KeyRing, KeyRingInvalid, parse_ring
from consentgate.runtime.keys.derive import ADDRESS_BOOK, PSEUDONYMS, TenantKeys, hkdf, use_key

KEY_A, KEY_B = bytes(range(32)), bytes(range(1, 33))


def encoded(material: bytes) -> str:
    return base64.urlsafe_b64encode(material).decode().rstrip("=")


def test_the_first_entry_is_current_and_text_round_trips() -> None:
    ring = parse_ring(f"# comment\nv2:{encoded(KEY_B)}\n  v1:{encoded(KEY_A)}  # old\n", source="f")
    assert ring.current == KeyEntry("v2", KEY_B)
    assert [e.version for e in ring] == ["v2", "v1"]
    assert parse_ring(ring.text(), source="again") == ring
    assert parse_ring(f"v2:{encoded(KEY_B)},v1:{encoded(KEY_A)}", source="env") == ring  # one line: commas


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        ("", "keys.invalid_empty", {}),
        (f"v1{encoded(KEY_A)}", "keys.invalid_entry", {"position": 1}),
        (f"v1:{encoded(KEY_A)} v2:%%%{encoded(KEY_B)}", "keys.invalid_entry", {"position": 2}),
        (f"v 1:{encoded(KEY_A)}", "keys.invalid_entry", {"position": 1}),  # a space splits the entry
        (f"v.1:{encoded(KEY_A)}", "keys.invalid_version", {"position": 1}),
        (f"v1:{encoded(KEY_A[:16])}", "keys.invalid_short", {"position": 1, "minimum": 32}),
        (f"v1:{encoded(KEY_A)},v1:{encoded(KEY_B)}", "keys.invalid_duplicate", {"version": "v1"}),
        (
            f"v2:{encoded(KEY_A)},v1@t:{encoded(KEY_B)},v1:{encoded(KEY_B)}",
            "keys.invalid_duplicate",
            {"version": "v1"},
        ),
        (
            f"v2:{encoded(KEY_A)},x@t:{encoded(KEY_B)},x@t:{encoded(KEY_A)}",
            "keys.invalid_duplicate",
            {"version": "x"},
        ),
        (
            f"legacy@t:{encoded(KEY_A)},v1:{encoded(KEY_B)}",
            "keys.invalid_legacy_current",
            {"version": "legacy"},
        ),
    ],
)
def test_a_bad_ring_is_a_typed_bilingual_error_that_quotes_no_key(
    text: str, key: str, values: dict[str, object]
) -> None:
    with pytest.raises(KeyRingInvalid) as bad:
        parse_ring(text, source="CONSENTGATE_KEYS")
    assert bad.value.code == "keys.invalid"
    assert bad.value.text.zh and bad.value.text.en and bad.value.text.zh != bad.value.text.en
    for secret in (encoded(KEY_A), encoded(KEY_B), encoded(KEY_A[:16])):
        assert secret not in bad.value.text.zh + bad.value.text.en
    assert bad.value.text == message(key, source="CONSENTGATE_KEYS", **values)


def test_rotation_puts_a_fresh_key_first_and_numbers_it_next() -> None:
    ring = KeyRing((KeyEntry("v1", KEY_A),))
    rotated = ring.with_new_current()
    assert [e.version for e in rotated] == ["v2", "v1"] and rotated.current.material not in (KEY_A, KEY_B)
    assert rotated.without("v1").entries == (rotated.current,)
    assert "KeyEntry(version='v1', tenant=None)" in repr(ring)  # a repr never shows the key


def test_hkdf_matches_rfc_5869_test_case_1() -> None:
    okm = hkdf(bytes([0x0B] * 22), bytes(range(0xF0, 0xFA)), length=42, salt=bytes(range(0x0D)))
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_each_tenant_and_each_use_gets_its_own_key() -> None:
    master = KeyEntry("v1", KEY_A)
    keys = {
        use_key(master, tenant=t, label=label) for t in ("a", "b") for label in (ADDRESS_BOOK, PSEUDONYMS)
    }
    assert len(keys) == 4 and KEY_A not in keys
    assert use_key(master, tenant="a", label=ADDRESS_BOOK) == use_key(master, tenant="a", label=ADDRESS_BOOK)


def test_a_legacy_tenant_key_serves_only_its_tenant_as_the_old_code_used_it() -> None:
    ring = KeyRing(
        (KeyEntry("v1", KEY_A), KeyEntry("legacy", KEY_B, tenant="acme"), KeyEntry("legacy", KEY_A, "b"))
    )
    acme, other = TenantKeys(ring, "acme").for_use(PSEUDONYMS), TenantKeys(ring, "other").for_use(PSEUDONYMS)
    assert acme.versions == ("v1", "legacy") and other.versions == ("v1",)
    assert acme.current == "v1" and acme.key("legacy") == KEY_B  # the old code keyed pseudonyms with it
    assert "KEY" not in repr(acme) and repr(KEY_B) not in repr(acme)
