"""One Engine per tenant over its manifest and the one database, created on first use, closed at shutdown.

A tenant runs the default manifest unless the folder of tenant manifests has `<tenant>.yaml`. Every
manifest is audited when the registry is built, before a request is served, as `Engine.from_manifest`
would: one unlawful tenant manifest refuses the whole service. The tenants' engines share the
process's one change feed (`runtime/changes/hub.py`), so tenants add no feed threads.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from consentgate.errors import UsageError
from consentgate.manifest.loader import LoadedManifest, load_manifest
from consentgate.runtime.changes.hub import ChangeHub, FeedState
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import DatabaseUnavailable
from consentgate.runtime.feed.catalog import Catalog, load_catalog
from consentgate.runtime.keys import KeyProvider
from consentgate.runtime.startup import refuse_unlawful
from consentgate.store.database import Database

_MAX_TENANT = 64  # as for API keys: a tenant id is at most this long


def load_tenant_manifests(folder: Path) -> dict[str, LoadedManifest]:
    """tenant -> its manifest, from `folder/<tenant>.yaml` (or `.yml`), each audited (refused if unlawful)."""
    if not folder.is_dir():
        raise UsageError.from_key("service.tenant_manifests_missing", path=str(folder))
    manifests: dict[str, LoadedManifest] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        if not 0 < len(path.stem) <= _MAX_TENANT or path.stem in manifests:
            raise UsageError.from_key("service.tenant_manifest_name", path=str(path), limit=_MAX_TENANT)
        loaded = load_manifest(path)
        refuse_unlawful(loaded)
        manifests[path.stem] = loaded
    return manifests


class EngineRegistry:
    def __init__(
        self,
        loaded: LoadedManifest,
        database: Database,
        *,
        manifests: Mapping[str, LoadedManifest] | None = None,
        catalog: Path | None = None,
        unsubscribe_url: str | None = None,
        keys: KeyProvider | None = None,
    ) -> None:
        self._unsubscribe_url = unsubscribe_url
        self._keys = keys  # None: each engine reads them from the environment (docs/keys.md)
        self._loaded = loaded
        self._manifests = dict(manifests or {})
        self._database = database
        self._catalog: Catalog | None = load_catalog(catalog) if catalog is not None else None
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def database(self) -> Database:
        return self._database

    @property
    def change_feed(self) -> FeedState:
        """The state of this process's change feed (idle until a tenant's engine runs)."""
        return ChangeHub.shared(self._database.url).state

    def manifest_for(self, tenant: str) -> LoadedManifest:
        """The tenant's own manifest, or the default one."""
        return self._manifests.get(tenant, self._loaded)

    def get(self, tenant: str) -> Engine:
        engine = self._engines.get(tenant)
        if engine is None:
            with self._lock:  # two first requests of a tenant build one engine, not two
                engine = self._engines.get(tenant)
                if engine is None:
                    if self._closed:  # a straggler during shutdown must not start an engine nobody closes
                        raise DatabaseUnavailable.from_key("service.shutting_down")
                    engine = Engine(
                        self.manifest_for(tenant),
                        self._database,
                        tenant=tenant,
                        catalog=self._catalog,
                        unsubscribe_url=self._unsubscribe_url,
                        keys=self._keys,
                    )
                    self._engines[tenant] = engine
        return engine

    def close(self) -> None:
        with self._lock:
            self._closed = True
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()  # leaves the change feed, flushes its audit records
        self._database.dispose()
