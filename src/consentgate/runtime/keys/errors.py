"""Typed errors of the key provider (codes and zh/en text in the i18n catalogs under `keys.`).

No message ever quotes key material: they name the source (a variable, a file) and the entry's
position or version id only.
"""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class KeysError(ConsentgateError):
    """Base of the key errors: a configuration the operator must correct before anything starts."""

    code = "keys.error"


class KeysMissing(KeysError):
    """A server database and no key from outside it: starting would mean keeping the key beside the data."""

    code = "keys.missing"


class KeyRingInvalid(KeysError):
    """An entry of `CONSENTGATE_KEYS` or a key file that does not parse, is too short, or repeats an id."""

    code = "keys.invalid"


class KeyFileUnsafe(KeysError):
    """A key file others could read: whoever can read it can reverse every hash it protects."""

    code = "keys.file_unsafe"


class KeyFileUnreadable(KeysError):
    code = "keys.file_unreadable"


class KeyFileUnwritable(KeysError):
    code = "keys.file_unwritable"


class KeyFileExists(KeysError):
    """`key create` never overwrites: losing a key loses every lookup made under it."""

    code = "keys.file_exists"


class CannotRetireCurrent(KeysError):
    """The current version makes every new hash; retire it only after another became current."""

    code = "keys.retire_current"


class UnknownKeyVersion(KeysError):
    """A version the key ring does not hold (retired, or never configured here)."""

    code = "keys.unknown_version"


class StoredSecretsFound(KeysError):
    """The database still holds the pseudonym secrets of a release before keys left the database."""

    code = "keys.stored_secrets"
