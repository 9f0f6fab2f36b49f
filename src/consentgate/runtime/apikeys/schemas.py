"""What the API keys hand out: scopes, the verified caller, and key descriptions. Never a row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consentgate.runtime.apikeys.errors import UnknownScope


class Scope(StrEnum):
    """What a key may do; the HTTP service checks `principal.allows(<scope the operation needs>)`.

    - `admin`: everything, including publishing notices and creating or revoking keys.
    - `app-backend`: what an app's own server does — decide (a decision releases data, so it is not a
      read), record consent, onboarding, profiles, feed, push, marketing, sharing, and filing and
      carrying out rights requests — plus everything `read-only` may do.
    - `read-only`: reads that release no personal data beyond state: notices, consent state, the
      status of rights requests, audit log verification.

    Each scope includes the ones below it: admin > app-backend > read-only.
    """

    ADMIN = "admin"
    APP_BACKEND = "app-backend"
    READ_ONLY = "read-only"


# Scope held -> scopes it grants (itself included).
_GRANTS: dict[Scope, frozenset[Scope]] = {
    Scope.ADMIN: frozenset(Scope),
    Scope.APP_BACKEND: frozenset({Scope.APP_BACKEND, Scope.READ_ONLY}),
    Scope.READ_ONLY: frozenset({Scope.READ_ONLY}),
}


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """Scope names as typed by a person (or read from the table) -> scopes; an unknown one is an error."""
    scopes: set[Scope] = set()
    for value in values:
        try:
            scopes.add(Scope(value))
        except ValueError:
            choices = ", ".join(scope.value for scope in Scope)
            raise UnknownScope.from_key("apikeys.unknown_scope", scope=value, choices=choices) from None
    return frozenset(scopes)


@dataclass(frozen=True)
class Principal:
    """The caller a verified key stands for: its tenant decides whose data every request touches."""

    tenant: str
    key_id: str
    name: str
    scopes: frozenset[Scope]

    def allows(self, needed: Scope) -> bool:
        return any(needed in _GRANTS[held] for held in self.scopes)


@dataclass(frozen=True)
class IssuedKey:
    """A key just created. `token` is the only copy of the secret there will ever be: show it once."""

    key_id: str
    token: str = field(repr=False)  # kept out of reprs, so a logged IssuedKey does not leak it
    tenant: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed to its tenant: everything but the secret (which is not kept)."""

    key_id: str
    tenant: str
    name: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
