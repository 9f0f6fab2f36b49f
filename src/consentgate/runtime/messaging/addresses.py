"""Contact points normalised and hashed with a per-tenant key, so a table of them reveals no number.

A plain SHA-256 of a phone number is reversible by enumerating the ~10^10 mobile numbers; a keyed
HMAC is not, without the tenant's key — which comes from outside the database (docs/keys.md), so a
dump of it reverses nothing. Normalising first makes "+86 138-0013-8000" and "13800138000" the same
contact, so an upload matches a subject however either was typed.

Keys have versions. A contact point is stored once per live version (`hashes`), so an address book
hashed under one version and an address registered under another still meet on the version they
share, and retiring a version drops only the rows nothing else can match.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from consentgate.runtime.keys.derive import VersionedKeys
from consentgate.runtime.messaging.errors import InvalidAddress, WeakAddressSecret

MIN_SECRET_BYTES = 16
_SEPARATORS = re.compile(r"[\s\-().]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _phone(raw: str) -> str | None:
    compact = _SEPARATORS.sub("", raw.strip())
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif len(compact) == 11 and compact.startswith("1"):
        digits = "86" + compact  # a mainland mobile number written without its country code
    else:
        digits = compact
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        return None
    return "tel:+" + digits


def _email(raw: str) -> str | None:
    address = raw.strip().lower()
    return "mailto:" + address if _EMAIL.match(address) else None


def normalise_contact(raw: str) -> str | None:
    """An address-book entry as `tel:+…` or `mailto:…`, or None when it is neither."""
    return _email(raw) if "@" in raw else _phone(raw)


def normalise_address(channel: str, raw: str) -> str:
    """A subject's address on `channel`, normalised like contacts are; `InvalidAddress` if malformed."""
    if channel == "email":
        found = _email(raw)
    elif channel == "push":
        token = raw.strip()
        found = "push:" + token if token else None
    else:
        found = _phone(raw)
    if found is None:
        raise InvalidAddress.from_key("messaging.invalid_address", channel=channel)
    return found


class AddressHasher:
    """HMAC-SHA256 under the tenant's address-book key, per key version, over normalised contact points."""

    def __init__(self, keys: VersionedKeys) -> None:
        if any(len(key) < MIN_SECRET_BYTES for key in keys.keys.values()):
            raise WeakAddressSecret.from_key("messaging.weak_secret", minimum=MIN_SECRET_BYTES)
        self._keys = keys

    @property
    def current(self) -> str:
        return self._keys.current

    @property
    def versions(self) -> tuple[str, ...]:
        """The live versions, current first."""
        return self._keys.versions

    def hash(self, normalised: str) -> str:
        """The hash under the current version (what a message log keeps)."""
        return _hmac(self._keys.current_key, normalised)

    def hashes(self, normalised: str) -> dict[str, str]:
        """Version -> hash, for every live version, current first."""
        return {version: _hmac(key, normalised) for version, key in self._keys.keys.items()}


def _hmac(key: bytes, normalised: str) -> str:
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Tokens carry 256 random bits: an unkeyed hash is enough to keep the stored form useless."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()
