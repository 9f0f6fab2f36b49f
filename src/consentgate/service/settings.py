"""The service's configuration, from the environment (twelve-factor): nothing is read from files but the manifest."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from consentgate.errors import UsageError
from consentgate.runtime.keys.ports import KeyProvider
from consentgate.runtime.keys.providers import resolve_provider
from consentgate.store.database import ENV_URL, database_url

ENV_MANIFEST = "CONSENTGATE_MANIFEST"
ENV_CATALOG = "CONSENTGATE_CATALOG"
ENV_PUBLIC_URL = "CONSENTGATE_PUBLIC_URL"
ENV_PUBLIC_RATE = "CONSENTGATE_PUBLIC_RATE"
ENV_RATE_STORAGE = "CONSENTGATE_RATE_LIMIT_STORAGE"
ENV_SESSION_SECRET = "CONSENTGATE_SESSION_SECRET"
ENV_DEMO_TENANT = "CONSENTGATE_DEMO_TENANT"
ENV_TENANT_MANIFESTS = "CONSENTGATE_TENANT_MANIFESTS"


def new_session_secret() -> str:
    """A fresh signing secret: sessions and sign-in links signed with it die with the process."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Settings:
    manifest: Path
    database_url: str
    catalog: Path | None = None
    public_url: str = "http://127.0.0.1:8000"  # where people's links (unsubscribe) point
    public_rate: str = "60/minute"  # per client address, on the endpoints that need no key
    rate_limit_storage: str = "memory://"  # redis://... to share the counts across workers
    # Signs the sign-in links to the web pages (sessions are kept server-side); every worker must share it.
    session_secret: str = field(default_factory=new_session_secret, repr=False)
    demo_tenant: str | None = None  # serves the English-learning demo app at /demo in this tenant
    tenant_manifests: Path | None = None  # a folder of <tenant>.yaml: those tenants' own manifests

    def key_provider(self) -> KeyProvider:
        """The keys of address books and pseudonyms, from `CONSENTGATE_KEYS` or `CONSENTGATE_KEY_FILE`
        (or, for an SQLite file, the key file beside it); never from the database (docs/keys.md)."""
        return resolve_provider(self.database_url)

    @property
    def secure_cookies(self) -> bool:
        """Cookies marked Secure whenever people reach the service over HTTPS."""
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls) -> Settings:
        """`CONSENTGATE_MANIFEST` (required), `CONSENTGATE_DATABASE_URL` (default: the embedded SQLite
        file), `CONSENTGATE_CATALOG` (the feed's content catalog, optional) and `CONSENTGATE_PUBLIC_URL`
        (the address people reach the service at, for the links in messages), `CONSENTGATE_SESSION_SECRET`
        (signs the sign-in links; generated when unset), `CONSENTGATE_DEMO_TENANT` (serves /demo) and
        `CONSENTGATE_TENANT_MANIFESTS` (a folder of `<tenant>.yaml`, each overriding the manifest). The
        keys (`CONSENTGATE_KEYS`, `CONSENTGATE_KEY_FILE`) are read by `key_provider()`."""
        manifest = os.environ.get(ENV_MANIFEST)
        if not manifest:
            raise UsageError.from_key("service.no_manifest", variable=ENV_MANIFEST)
        catalog = os.environ.get(ENV_CATALOG)
        return cls(
            manifest=Path(manifest),
            database_url=database_url(os.environ.get(ENV_URL)),
            catalog=Path(catalog) if catalog else None,
            public_url=os.environ.get(ENV_PUBLIC_URL) or cls.public_url,
            public_rate=os.environ.get(ENV_PUBLIC_RATE) or cls.public_rate,
            rate_limit_storage=os.environ.get(ENV_RATE_STORAGE) or cls.rate_limit_storage,
            session_secret=os.environ.get(ENV_SESSION_SECRET) or new_session_secret(),
            demo_tenant=os.environ.get(ENV_DEMO_TENANT) or None,
            tenant_manifests=_path(os.environ.get(ENV_TENANT_MANIFESTS)),
        )


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
