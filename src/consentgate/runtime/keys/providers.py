"""Key providers: the environment, a key file, the embedded default beside an SQLite file, or a value.

`resolve_provider(database_url)` picks one, in this order:

1. `CONSENTGATE_KEYS` — the key ring itself (ring.py), e.g. injected by the platform's secret store;
2. `CONSENTGATE_KEY_FILE` — a key file, refused when its group or others may read it;
3. an SQLite file database: the key file beside it (`<file>.keys`, mode 0600), created on first use,
   so `make demo` and `Engine.from_manifest("app.yaml")` need no set-up and a copy of the database
   file alone still reverses nothing;
4. an in-memory SQLite database: a random key that lives and dies with the process, like the data;
5. anything else (PostgreSQL): `KeysMissing`. A server database is backed up and dumped on its own,
   so its key must be set on purpose, never made silently where the operator would not look.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from consentgate.runtime.keys.errors import KeyFileExists, KeysMissing
from consentgate.runtime.keys.keyfile import read_key_file, write_key_file
from consentgate.runtime.keys.ports import KeyProvider
from consentgate.runtime.keys.ring import KeyRing, new_entry, parse_ring

ENV_KEYS = "CONSENTGATE_KEYS"
ENV_KEY_FILE = "CONSENTGATE_KEY_FILE"
SIDECAR_SUFFIX = ".keys"


@dataclass(frozen=True)
class StaticKeyProvider:
    """A ring the caller already holds (fetched from a KMS, or made in a test)."""

    ring: KeyRing = field(repr=False)
    source: str = "value"

    def keyring(self) -> KeyRing:
        return self.ring


class EnvKeyProvider:
    """`CONSENTGATE_KEYS`, parsed when constructed so a mistake stops start-up, not a request."""

    def __init__(self, environ: Mapping[str, str] | None = None, *, variable: str = ENV_KEYS) -> None:
        self.source = variable
        self._ring = parse_ring((environ if environ is not None else os.environ)[variable], source=variable)

    def keyring(self) -> KeyRing:
        return self._ring


class FileKeyProvider:
    """A key file (`consentgate key create --out FILE`), read and checked when constructed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.source = str(self.path)
        self._ring = read_key_file(self.path)

    def keyring(self) -> KeyRing:
        return self._ring


def embedded_key_file(path: Path) -> FileKeyProvider:
    """The key file at `path`, made with one fresh key if there is none yet (the SQLite default)."""
    if not path.exists():
        with contextlib.suppress(KeyFileExists):  # another process made it a moment ago: use theirs
            write_key_file(path, KeyRing((new_entry(),)), replace=False)
    return FileKeyProvider(path)


def sidecar_path(database_url: str) -> Path | None:
    """Where the embedded key file of an SQLite file database lives; None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + SIDECAR_SUFFIX)


def resolve_provider(database_url: str, environ: Mapping[str, str] | None = None) -> KeyProvider:
    """The provider for `database_url` from the environment (see the module docstring for the order)."""
    env = environ if environ is not None else os.environ
    if env.get(ENV_KEYS):
        return EnvKeyProvider(env)
    if env.get(ENV_KEY_FILE):
        return FileKeyProvider(env[ENV_KEY_FILE])
    sidecar = sidecar_path(database_url)
    if sidecar is not None:
        return embedded_key_file(sidecar)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return StaticKeyProvider(KeyRing((new_entry(),)), source="process memory")
    raise KeysMissing.from_key(
        "keys.missing", url=url.render_as_string(hide_password=True), env_keys=ENV_KEYS, env_file=ENV_KEY_FILE
    )
