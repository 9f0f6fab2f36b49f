"""The key ring: versioned master keys, written as text so an environment variable or a file can carry it.

One entry per key, `<version>:<key>`, the key being at least 32 random bytes in unpadded base64url.
Entries are separated by newlines, commas or spaces; `#` starts a comment. **The first entry is the
current version**: it makes every new hash and pseudonym. The others are kept only so that what they
made can still be looked up (rotation, see docs/keys.md).

`<version>@<tenant>:<key>` is a *legacy tenant key*: the per-tenant secret a release before
migration 0011 kept in the `sharing_secrets` table, exported once by `consentgate key export-legacy`.
It is used as that tenant's key itself (not derived from a master key), only to look up what it made,
and can never be current.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from consentgate.runtime.keys.errors import KeyRingInvalid

MIN_KEY_BYTES = 32  # 256 bits: enumerating keys must cost more than enumerating every phone number
_VERSION = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_SEPARATORS = re.compile(r"[\s,]+")
_NUMBERED = re.compile(r"^v(\d+)$")


@dataclass(frozen=True)
class KeyEntry:
    """One version of the key. `tenant` is set only for a legacy tenant key."""

    version: str
    material: bytes = field(repr=False)
    tenant: str | None = None

    @property
    def legacy(self) -> bool:
        return self.tenant is not None

    def text(self) -> str:
        scope = f"@{self.tenant}" if self.tenant is not None else ""
        encoded = base64.urlsafe_b64encode(self.material).decode("ascii").rstrip("=")
        return f"{self.version}{scope}:{encoded}"


@dataclass(frozen=True)
class KeyRing:
    """The versions a process knows, current first."""

    entries: tuple[KeyEntry, ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise KeyRingInvalid.from_key("keys.invalid_empty")
        if self.entries[0].legacy:
            raise KeyRingInvalid.from_key("keys.invalid_legacy_current", version=self.entries[0].version)
        # A version id names one key per tenant: legacy keys may share an id across tenants only.
        masters = [e.version for e in self.entries if e.tenant is None]
        legacy = [(e.version, e.tenant) for e in self.entries if e.tenant is not None]
        clashes = [v for v in masters if masters.count(v) > 1]
        clashes += [v for v, t in legacy if v in masters or legacy.count((v, t)) > 1]
        if clashes:
            raise KeyRingInvalid.from_key("keys.invalid_duplicate", version=clashes[0])

    @property
    def current(self) -> KeyEntry:
        return self.entries[0]

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self.entries)

    def for_tenant(self, tenant: str) -> tuple[KeyEntry, ...]:
        """The master keys and this tenant's legacy keys, current first."""
        return tuple(e for e in self.entries if e.tenant is None or e.tenant == tenant)

    def text(self) -> str:
        lines = [
            "# consentgate key ring (docs/keys.md): the first key is current, the others only look up",
            "# what they made. Keep this file out of every backup of the database.",
        ]
        return "\n".join([*lines, *(entry.text() for entry in self.entries)]) + "\n"

    def with_new_current(self, version: str | None = None) -> KeyRing:
        """A ring whose current version is a fresh random key; the old versions stay to look up."""
        return KeyRing((new_entry(version or self.next_version()), *self.entries))

    def without(self, version: str) -> KeyRing:
        return KeyRing(tuple(e for e in self.entries if e.version != version))

    def next_version(self) -> str:
        numbers = [int(m.group(1)) for e in self.entries if (m := _NUMBERED.match(e.version))]
        return f"v{max(numbers, default=0) + 1}"


def new_entry(version: str = "v1") -> KeyEntry:
    _check_version(version, source="--id", position=1)
    return KeyEntry(version, secrets.token_bytes(MIN_KEY_BYTES))


def parse_ring(text: str, *, source: str) -> KeyRing:
    """Parses entries (see the module docstring); errors name `source` and the entry's position, never a key."""
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return KeyRing(tuple(_parse_entry(raw, source, n) for n, raw in enumerate(_tokens(body), start=1)))


def _tokens(body: str) -> Iterable[str]:
    return [token for token in _SEPARATORS.split(body) if token]


def _parse_entry(raw: str, source: str, position: int) -> KeyEntry:
    head, colon, encoded = raw.rpartition(":")
    if not colon or not head:
        raise KeyRingInvalid.from_key("keys.invalid_entry", source=source, position=position)
    version, at, tenant = head.partition("@")
    _check_version(version, source=source, position=position)
    if at and not tenant:
        raise KeyRingInvalid.from_key("keys.invalid_entry", source=source, position=position)
    try:
        material = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise KeyRingInvalid.from_key("keys.invalid_entry", source=source, position=position) from None
    if len(material) < MIN_KEY_BYTES:
        raise KeyRingInvalid.from_key(
            "keys.invalid_short", source=source, position=position, minimum=MIN_KEY_BYTES
        )
    return KeyEntry(version, material, tenant or None)


def _check_version(version: str, *, source: str, position: int) -> None:
    if not _VERSION.match(version):
        raise KeyRingInvalid.from_key("keys.invalid_version", source=source, position=position)
