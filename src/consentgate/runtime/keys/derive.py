"""Keys for one tenant and one use, derived from the key ring with HKDF-SHA256 (RFC 5869, stdlib hmac).

master key --HKDF(info: tenant)--> tenant key --HKDF(info: use label)--> the key for that use

Deriving per tenant means one master key serves every tenant while no tenant's key reveals another's;
deriving per use (address books, pseudonyms) means a leak of one use's key reveals nothing of the
other. Every part of an `info` is length-prefixed, so no two (tenant, label) pairs share one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from consentgate.runtime.keys.errors import UnknownKeyVersion
from consentgate.runtime.keys.ring import KeyEntry, KeyRing

ADDRESS_BOOK = "address-book"  # hashes of people's contact points (messaging)
PSEUDONYMS = "pseudonyms"  # the reference each recipient knows a person by (sharing)

_SALT = b"consentgate/keys/v1"
_LENGTH = 32


def hkdf(key: bytes, info: bytes, *, length: int = _LENGTH, salt: bytes = _SALT) -> bytes:
    """HKDF-SHA256: extract with `salt`, expand with `info`."""
    prk = hmac.new(salt, key, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def _framed(*parts: str) -> bytes:
    return b"".join(len(raw).to_bytes(4, "big") + raw for raw in (p.encode("utf-8") for p in parts))


def use_key(entry: KeyEntry, *, tenant: str, label: str) -> bytes:
    """The key `entry` gives `tenant` for the use `label`."""
    if entry.tenant is not None:
        return _legacy_use_key(entry.material, label)
    tenant_key = hkdf(entry.material, _framed("tenant", tenant))
    return hkdf(tenant_key, _framed("use", label))


def _legacy_use_key(secret: bytes, label: str) -> bytes:
    # What the releases before migration 0011 did with the stored tenant secret, so that what they
    # made still matches: the secret itself keyed the pseudonyms, HMAC(secret, label) everything else.
    if label == PSEUDONYMS:
        return secret
    return hmac.new(secret, f"consentgate:{label}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class VersionedKeys:
    """One tenant's keys for one use, per version, current first. Its repr shows versions, never keys."""

    label: str
    current: str
    keys: Mapping[str, bytes] = field(repr=False)

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current]

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(self.keys)

    def key(self, version: str) -> bytes:
        found = self.keys.get(version)
        if found is None:
            raise UnknownKeyVersion.from_key(
                "keys.unknown_version", version=version, label=self.label, known=", ".join(self.keys)
            )
        return found

    @classmethod
    def single(cls, key: bytes, *, label: str, version: str = "v1") -> VersionedKeys:
        """One version only: for a component used on its own (tests, an app with its own key store)."""
        return cls(label, version, MappingProxyType({version: key}))


@dataclass(frozen=True)
class TenantKeys:
    """The key ring as one tenant sees it: its master-derived versions and its own legacy keys."""

    ring: KeyRing = field(repr=False)
    tenant: str

    def for_use(self, label: str) -> VersionedKeys:
        entries = self.ring.for_tenant(self.tenant)
        keys = {e.version: use_key(e, tenant=self.tenant, label=label) for e in entries}
        return VersionedKeys(label, entries[0].version, MappingProxyType(keys))
