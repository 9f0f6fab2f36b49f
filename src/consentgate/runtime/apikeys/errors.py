"""Typed errors of the API keys (codes and zh/en text in the i18n catalogs under `apikeys.`)."""

from __future__ import annotations

from consentgate.errors import ConsentgateError


class MalformedApiKey(ConsentgateError):
    """Not shaped like a key at all: refused before the database is asked."""

    code = "apikeys.malformed"


class InvalidApiKey(ConsentgateError):
    """No such key, or the wrong secret. One class and one message for both, so a caller cannot
    learn which key ids exist by trying them."""

    code = "apikeys.invalid"


class RevokedApiKey(ConsentgateError):
    """The right secret of a revoked key (only the secret's holder learns the key was revoked)."""

    code = "apikeys.revoked"


class UnknownScope(ConsentgateError):
    code = "apikeys.unknown_scope"


class NoScopes(ConsentgateError):
    """A key that may do nothing is a mistake, not a key."""

    code = "apikeys.no_scopes"


class BadKeyName(ConsentgateError):
    code = "apikeys.bad_name"


class BadTenant(ConsentgateError):
    code = "apikeys.bad_tenant"


class UnknownApiKey(ConsentgateError):
    """Managing a key the tenant does not have (another tenant's key included)."""

    code = "apikeys.unknown_key"
