"""API keys on SQLite and PostgreSQL: issued once, stored hashed, verified, revoked, kept per tenant."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import text

from consentgate.runtime.apikeys.errors import (
    BadKeyName,
    BadTenant,
    InvalidApiKey,
    MalformedApiKey,
    NoScopes,
    RevokedApiKey,
    UnknownApiKey,
    UnknownScope,
)
from consentgate.runtime.apikeys.schemas import IssuedKey, Scope
from consentgate.runtime.apikeys.service import CACHE_TTL, TOUCH_INTERVAL, ApiKeyService
from consentgate.runtime.ports import FakeClock
from consentgate.store.database import Database

A, B = "tenant-a", "tenant-b"


@pytest.fixture
def keys(database: Database, clock: FakeClock) -> ApiKeyService:
    return ApiKeyService(database, clock=clock)


def secret_of(issued: IssuedKey) -> str:
    key_id, _, secret = issued.token.partition(".")
    assert key_id == issued.key_id
    return secret


def test_a_created_key_verifies_as_its_tenant_name_and_scopes(keys: ApiKeyService) -> None:
    issued = keys.create(A, "billing backend", ["app-backend", Scope.READ_ONLY])
    caller = keys.verify(issued.token)
    assert (caller.tenant, caller.key_id, caller.name) == (A, issued.key_id, "billing backend")
    assert caller.scopes == {Scope.APP_BACKEND, Scope.READ_ONLY}
    assert issued.tenant == A and issued.scopes == caller.scopes


def test_each_key_gets_its_own_public_id_and_secret(keys: ApiKeyService) -> None:
    first, second = keys.create(A, "one", ["admin"]), keys.create(A, "two", ["admin"])
    assert first.key_id != second.key_id and secret_of(first) != secret_of(second)
    assert first.key_id.startswith("cgk_") and len(first.key_id) == 16
    assert len(secret_of(first)) >= 43  # token_urlsafe(32): 256 random bits


def test_the_table_holds_no_plain_secret(keys: ApiKeyService, database: Database) -> None:
    issued = keys.create(A, "ci", ["read-only"])
    keys.verify(issued.token)  # a verification writes last_used_at: that must not leak it either
    secret = secret_of(issued)
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_keys")).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert issued.key_id in stored
    # Not the secret, nor any long piece of it (a truncated copy would still be a leak).
    pieces = {secret[start : start + 12] for start in range(len(secret) - 11)}
    assert not [piece for piece in pieces if piece in stored]


def test_an_issued_key_does_not_show_its_token_when_logged(keys: ApiKeyService) -> None:
    issued = keys.create(A, "ci", ["read-only"])
    assert secret_of(issued) not in repr(issued)
    assert issued.key_id in repr(issued)


def test_a_wrong_secret_and_an_unknown_id_give_the_same_error(keys: ApiKeyService) -> None:
    issued = keys.create(A, "app", ["app-backend"])
    wrong_secret = f"{issued.key_id}.{secrets.token_urlsafe(32)}"
    unknown_id = f"cgk_{'a' * 12}.{secret_of(issued)}"
    refusals = []
    for token in (wrong_secret, unknown_id):
        with pytest.raises(InvalidApiKey) as raised:
            keys.verify(token)
        refusals.append((type(raised.value), raised.value.code, raised.value.text))
    assert refusals[0] == refusals[1]
    assert issued.key_id not in refusals[0][2].en and issued.key_id not in refusals[0][2].zh


@pytest.mark.parametrize(
    "token",
    [
        "",
        "Bearer cgk_aaaaaaaaaaaa.x",
        "cgk_aaaaaaaaaaaa",
        "cgk_AAAAAAAAAAAA." + "x" * 43,  # ids are lower-case base32
        "cgk_aaaaaaaaaaaa." + "x" * 42,
        "cgk_aaaaaaaaaaaa." + "x" * 43 + " ",
        "cgk_aaaaaaaaaaaa." + "x" * 42 + ".",
        "sk_aaaaaaaaaaaa." + "x" * 43,
    ],
)
def test_a_token_not_shaped_like_a_key_is_malformed(keys: ApiKeyService, token: str) -> None:
    with pytest.raises(MalformedApiKey) as raised:
        keys.verify(token)
    assert "cgk_" in raised.value.text.en and "密钥" in raised.value.text.zh


def test_a_revoked_key_is_refused_by_other_services_once_their_cache_expires(
    database: Database, clock: FakeClock
) -> None:
    serving, operator = ApiKeyService(database, clock=clock), ApiKeyService(database, clock=clock)
    issued = operator.create(A, "app", ["app-backend"])
    assert serving.verify(issued.token).tenant == A  # now cached in `serving`
    operator.revoke(A, issued.key_id)
    # A fresh service (a restarted process) refuses at once: nothing was cached there.
    with pytest.raises(RevokedApiKey):
        ApiKeyService(database, clock=clock).verify(issued.token)
    # The serving process trusts its cache for CACHE_TTL at most — the documented price of speed.
    clock.advance(seconds=CACHE_TTL.total_seconds() - 1)
    assert serving.verify(issued.token).tenant == A
    clock.advance(seconds=1)
    with pytest.raises(RevokedApiKey) as raised:
        serving.verify(issued.token)
    assert issued.key_id in raised.value.text.en and issued.key_id in raised.value.text.zh


def test_a_key_revoked_through_the_same_service_is_refused_at_once(keys: ApiKeyService) -> None:
    issued = keys.create(A, "app", ["app-backend"])
    keys.verify(issued.token)
    keys.revoke(A, issued.key_id)
    with pytest.raises(RevokedApiKey):
        keys.verify(issued.token)


def test_a_wrong_secret_for_a_revoked_key_does_not_reveal_the_revocation(keys: ApiKeyService) -> None:
    issued = keys.create(A, "app", ["app-backend"])
    keys.revoke(A, issued.key_id)
    with pytest.raises(InvalidApiKey):
        keys.verify(f"{issued.key_id}.{secrets.token_urlsafe(32)}")


def test_revoking_twice_keeps_the_first_revocation_time(keys: ApiKeyService, clock: FakeClock) -> None:
    issued = keys.create(A, "app", ["app-backend"])
    first = keys.revoke(A, issued.key_id)
    clock.advance(hours=1)
    again = keys.revoke(A, issued.key_id)
    assert first.revoked_at == again.revoked_at == clock.now() - timedelta(hours=1)


def test_last_use_is_written_at_most_once_a_minute_per_key(
    keys: ApiKeyService, database: Database, clock: FakeClock
) -> None:
    issued = keys.create(A, "app", ["app-backend"])
    (info,) = keys.list(A)
    assert info.last_used_at is None
    first = clock.now()
    keys.verify(issued.token)
    clock.advance(seconds=30)  # past the cache TTL: verified against the table again
    keys.verify(issued.token)
    # Another process, which never wrote it itself, sees the recent write and does not repeat it.
    ApiKeyService(database, clock=clock).verify(issued.token)
    assert keys.list(A)[0].last_used_at == first
    clock.advance(seconds=TOUCH_INTERVAL.total_seconds() - 30)
    keys.verify(issued.token)
    assert keys.list(A)[0].last_used_at == clock.now()


def test_one_tenants_keys_are_invisible_to_another(keys: ApiKeyService) -> None:
    mine = keys.create(A, "a-app", ["admin"])
    theirs = keys.create(B, "b-app", ["admin"])
    assert [info.key_id for info in keys.list(A)] == [mine.key_id]
    assert [info.key_id for info in keys.list(B)] == [theirs.key_id]
    assert keys.list("tenant-c") == []
    with pytest.raises(UnknownApiKey) as raised:
        keys.revoke(A, theirs.key_id)
    assert A in raised.value.text.zh and A in raised.value.text.en
    assert keys.verify(theirs.token).tenant == B
    assert not keys.list(B)[0].revoked


def test_listing_describes_each_key_without_its_secret(keys: ApiKeyService, clock: FakeClock) -> None:
    issued = keys.create(A, "  dashboard  ", ["read-only"])
    (info,) = keys.list(A)
    assert (info.key_id, info.tenant, info.name) == (issued.key_id, A, "dashboard")
    assert info.scopes == {Scope.READ_ONLY}
    assert info.created_at == clock.now() and not info.revoked
    assert secret_of(issued) not in repr(info)


@pytest.mark.parametrize(
    ("tenant", "name", "scopes", "error"),
    [
        (A, "app", ["superuser"], UnknownScope),
        (A, "app", [], NoScopes),
        (A, "   ", ["admin"], BadKeyName),
        (A, "x" * 201, ["admin"], BadKeyName),
        ("", "app", ["admin"], BadTenant),
        ("t" * 65, "app", ["admin"], BadTenant),
    ],
)
def test_a_key_that_could_not_be_used_is_not_created(
    keys: ApiKeyService, tenant: str, name: str, scopes: list[str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        keys.create(tenant, name, scopes)
    assert keys.list(tenant) == []


def test_a_background_last_use_write_is_done_by_the_time_the_service_closes(
    database: Database, clock: FakeClock
) -> None:
    """The HTTP service writes last use off the request path; closing waits for it (no write outlives
    the database it goes to)."""
    service = ApiKeyService(database, clock=clock, touch_in_background=True)
    issued = service.create("tenant-a", "backend", [Scope.APP_BACKEND])
    service.verify(issued.token)
    service.close()
    assert service.list("tenant-a")[0].last_used_at == clock.now()
