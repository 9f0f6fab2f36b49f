"""Keys that protect people's data, from outside the database they protect (docs/keys.md).

A `KeyProvider` hands out a `KeyRing` of versioned master keys; `TenantKeys` derives each tenant's
key for each use (`ADDRESS_BOOK`, `PSEUDONYMS`) as `VersionedKeys`, current version first.
"""

from consentgate.runtime.keys.derive import ADDRESS_BOOK, PSEUDONYMS, TenantKeys, VersionedKeys
from consentgate.runtime.keys.errors import (
    CannotRetireCurrent,
    KeyFileExists,
    KeyFileUnreadable,
    KeyFileUnsafe,
    KeyRingInvalid,
    KeysError,
    KeysMissing,
    StoredSecretsFound,
    UnknownKeyVersion,
)
from consentgate.runtime.keys.ports import KeyProvider
from consentgate.runtime.keys.providers import (
    ENV_KEY_FILE,
    ENV_KEYS,
    EnvKeyProvider,
    FileKeyProvider,
    StaticKeyProvider,
    resolve_provider,
)
from consentgate.runtime.keys.ring import KeyEntry, KeyRing, new_entry, parse_ring

__all__ = [
    "ADDRESS_BOOK",
    "ENV_KEYS",
    "ENV_KEY_FILE",
    "PSEUDONYMS",
    "CannotRetireCurrent",
    "EnvKeyProvider",
    "FileKeyProvider",
    "KeyEntry",
    "KeyFileExists",
    "KeyFileUnreadable",
    "KeyFileUnsafe",
    "KeyProvider",
    "KeyRing",
    "KeyRingInvalid",
    "KeysError",
    "KeysMissing",
    "StaticKeyProvider",
    "StoredSecretsFound",
    "TenantKeys",
    "UnknownKeyVersion",
    "VersionedKeys",
    "new_entry",
    "parse_ring",
    "resolve_provider",
]
