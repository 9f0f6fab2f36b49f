"""API keys per tenant: issued once, stored hashed, verified on every request of the HTTP service.

A key is `cgk_<12 base32 chars>.<secret>`. The part before the dot is the public key id: it finds
the row, and with it the tenant, so lookup is not tenant-scoped — the key decides the tenant, the
caller never names one. The secret is `secrets.token_urlsafe(32)` (256 random bits); the table keeps
only its SHA-256. A slow password hash (bcrypt, scrypt, argon2) exists to make guessing a
low-entropy password expensive; nobody can guess a 256-bit random secret, so it would add only
latency to every request and protect nothing. Digests are compared with `hmac.compare_digest`.

Verification is cached in process: SHA-256 of the whole token -> the Principal, for `CACHE_TTL`
(5 s), so the service answers most requests without the database. The price is that a revocation
made by another process (or another `ApiKeyService`) takes effect here only when the cached entry
expires — within 5 s. A revocation through this same service drops its entry at once. Only keys
that verified are cached; the cache holds digests, never a plain token.

`last_used_at` is bookkeeping for the operator, so it is written at most once per `TOUCH_INTERVAL`
per key and process (and skipped in SQL when another process wrote it within the interval), and a
failure to write it never fails the request.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import logging
import re
import secrets
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from consentgate.runtime.apikeys.errors import (
    BadKeyName,
    BadTenant,
    InvalidApiKey,
    MalformedApiKey,
    NoScopes,
    RevokedApiKey,
    UnknownApiKey,
)
from consentgate.runtime.apikeys.models import ApiKeyRow
from consentgate.runtime.apikeys.repository import ApiKeyRepository, aware, to_info
from consentgate.runtime.apikeys.schemas import IssuedKey, KeyInfo, Principal, Scope, parse_scopes
from consentgate.runtime.ports import Clock
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

CACHE_TTL = timedelta(seconds=5)
TOUCH_INTERVAL = timedelta(minutes=1)

KEY_PREFIX = "cgk_"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lower case
_ID_LENGTH = 12
_SECRET_BYTES = 32  # token_urlsafe(32): 43 URL-safe characters, none of them a dot
_TOKEN = re.compile(rf"({KEY_PREFIX}[{_ID_ALPHABET}]{{{_ID_LENGTH}}})\.([A-Za-z0-9_-]{{43}})")
_MAX_NAME = 200
_MAX_TENANT = 64
_MAX_CACHED = 10_000  # only verified keys are cached, so this bounds nothing but a pathological tenant
# Compared against when the key id is unknown, so an unknown id costs the same work as a wrong secret.
_NO_SUCH_KEY = hashlib.sha256(b"consentgate: no such key").hexdigest()


@dataclass(frozen=True)
class _Cached:
    principal: Principal
    until: datetime


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _new_key_id() -> str:
    return KEY_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


class ApiKeyService:
    """Creates, verifies, lists and revokes keys; one per process is meant to be shared by all requests."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        cache_ttl: timedelta = CACHE_TTL,
        touch_interval: timedelta = TOUCH_INTERVAL,
        touch_in_background: bool = False,
    ) -> None:
        # The HTTP service sets this: the once-a-minute write then never holds up a request (on SQLite
        # it could wait behind another process's write lock, stalling every request on that worker).
        self._touch_in_background = touch_in_background
        self._toucher: ThreadPoolExecutor | None = None  # one thread, made on first use
        self._db = db
        self._clock = clock
        self._cache_ttl = cache_ttl
        self._touch_interval = touch_interval
        self._cache: dict[bytes, _Cached] = {}  # SHA-256 of the token -> what it verified as
        self._touched: dict[str, datetime] = {}  # key id -> last_used_at as this process last knew it
        self._lock = threading.Lock()

    def create(self, tenant: str, name: str, scopes: Iterable[Scope | str]) -> IssuedKey:
        """A new key for `tenant`. The returned token is the only time anyone sees the secret."""
        name = name.strip()
        if not tenant or len(tenant) > _MAX_TENANT:
            raise BadTenant.from_key("apikeys.bad_tenant", tenant=tenant, limit=_MAX_TENANT)
        if not name or len(name) > _MAX_NAME:
            raise BadKeyName.from_key("apikeys.bad_name", limit=_MAX_NAME)
        granted = parse_scopes(scopes)
        if not granted:
            raise NoScopes.from_key("apikeys.no_scopes", choices=", ".join(s.value for s in Scope))
        key_id, secret = _new_key_id(), secrets.token_urlsafe(_SECRET_BYTES)
        with self._db.transaction() as session:
            ApiKeyRepository(session).add(
                ApiKeyRow(
                    tenant_id=tenant,
                    key_id=key_id,
                    name=name,
                    scopes=sorted(scope.value for scope in granted),
                    secret_hash=_secret_hash(secret),
                    created_at=self._clock.now(),
                    revoked_at=None,
                    last_used_at=None,
                )
            )
        return IssuedKey(key_id=key_id, token=f"{key_id}.{secret}", tenant=tenant, scopes=granted)

    def verify(self, token: str) -> Principal:
        """The caller `token` stands for; `MalformedApiKey`, `InvalidApiKey` or `RevokedApiKey` if none."""
        shape = _TOKEN.fullmatch(token)
        if shape is None:
            raise MalformedApiKey.from_key("apikeys.malformed", prefix=KEY_PREFIX)
        now = self._clock.now()
        digest = hashlib.sha256(token.encode("ascii")).digest()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and now < cached.until:
            principal = cached.principal
        else:
            principal = self._verify_stored(digest, shape.group(1), shape.group(2), now)
        self._touch(principal.key_id, now)
        return principal

    def close(self) -> None:
        """Waits for pending last-use writes, so none outlives the database it writes to."""
        with self._lock:
            toucher, self._toucher = self._toucher, None
        if toucher is not None:
            toucher.shutdown(wait=True)

    def revoke(self, tenant: str, key_id: str) -> KeyInfo:
        """Revokes one of `tenant`'s keys (again: a no-op keeping the first time). Effective at once in
        this process, within `CACHE_TTL` in others."""
        with self._db.transaction() as session:
            row = ApiKeyRepository(session).one(tenant, key_id, lock=True)
            if row is None:
                raise UnknownApiKey.from_key("apikeys.unknown_key", key_id=key_id, tenant=tenant)
            if row.revoked_at is None:
                row.revoked_at = self._clock.now()
            info = to_info(row)
        with self._lock:
            for digest in [d for d, entry in self._cache.items() if entry.principal.key_id == key_id]:
                del self._cache[digest]
            self._touched.pop(key_id, None)
        return info

    def still_live(self, tenant: str, key_id: str) -> Principal | None:
        """The key's caller while it is not revoked: how a console session signed in with a key lasts
        only as long as the key (checked on each page, so a revocation ends the session at once)."""
        with self._db.reading() as session:
            row = ApiKeyRepository(session).one(tenant, key_id)
        if row is None or row.revoked_at is not None:
            return None
        return Principal(
            tenant=row.tenant_id, key_id=row.key_id, name=row.name, scopes=parse_scopes(row.scopes)
        )

    def list(self, tenant: str) -> builtins.list[KeyInfo]:
        """`tenant`'s keys, revoked ones included, oldest first; no secret (none is kept)."""
        with self._db.reading() as session:
            return [to_info(row) for row in ApiKeyRepository(session).of_tenant(tenant)]

    # ------------------------------------------------------------------ internals

    def _verify_stored(self, digest: bytes, key_id: str, secret: str, now: datetime) -> Principal:
        with self._db.reading() as session:
            row = ApiKeyRepository(session).find(key_id)
        presented = _secret_hash(secret)
        if row is None:
            hmac.compare_digest(_NO_SUCH_KEY, presented)
            raise InvalidApiKey.from_key("apikeys.invalid")
        if not hmac.compare_digest(row.secret_hash, presented):
            raise InvalidApiKey.from_key("apikeys.invalid")
        if row.revoked_at is not None:
            with self._lock:
                self._cache.pop(digest, None)
            raise RevokedApiKey.from_key("apikeys.revoked", key_id=key_id)
        principal = Principal(
            tenant=row.tenant_id, key_id=row.key_id, name=row.name, scopes=parse_scopes(row.scopes)
        )
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache = {d: entry for d, entry in self._cache.items() if now < entry.until}
            self._cache[digest] = _Cached(principal, now + self._cache_ttl)
            if row.last_used_at is not None:
                known = self._touched.get(key_id)
                stored = aware(row.last_used_at)
                self._touched[key_id] = stored if known is None else max(known, stored)
        return principal

    def _touch(self, key_id: str, now: datetime) -> None:
        since = now - self._touch_interval
        with self._lock:
            last = self._touched.get(key_id)
            if last is not None and last > since:
                return
            self._touched[key_id] = now  # claimed: concurrent requests of this key skip the write
        if self._touch_in_background:
            with self._lock:
                if self._toucher is None:
                    self._toucher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apikey-touch")
                self._toucher.submit(self._write_touch, key_id, now, since)
        else:
            self._write_touch(key_id, now, since)

    def _write_touch(self, key_id: str, now: datetime, since: datetime) -> None:
        try:
            with self._db.transaction() as session:
                ApiKeyRepository(session).touch(key_id, now, unless_since=since)
        except SQLAlchemyError as error:
            # Bookkeeping only: the request it rides on must not fail for it. The next interval retries.
            logger.warning("could not record the use of API key %s: %s", key_id, error.__class__.__name__)
