"""One Engine per tenant over one manifest and one database, created on first use, closed at shutdown."""

from __future__ import annotations

import threading
from pathlib import Path

from consentgate.manifest.loader import LoadedManifest
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import DatabaseUnavailable
from consentgate.runtime.feed.catalog import Catalog, load_catalog
from consentgate.store.database import Database


class EngineRegistry:
    def __init__(
        self,
        loaded: LoadedManifest,
        database: Database,
        *,
        catalog: Path | None = None,
        unsubscribe_url: str | None = None,
    ) -> None:
        self._unsubscribe_url = unsubscribe_url
        self._loaded = loaded
        self._database = database
        self._catalog: Catalog | None = load_catalog(catalog) if catalog is not None else None
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def database(self) -> Database:
        return self._database

    def get(self, tenant: str) -> Engine:
        engine = self._engines.get(tenant)
        if engine is None:
            with self._lock:  # two first requests of a tenant build one engine, not two
                engine = self._engines.get(tenant)
                if engine is None:
                    if self._closed:  # a straggler during shutdown must not start an engine nobody closes
                        raise DatabaseUnavailable.from_key("service.shutting_down")
                    engine = Engine(
                        self._loaded,
                        self._database,
                        tenant=tenant,
                        catalog=self._catalog,
                        unsubscribe_url=self._unsubscribe_url,
                    )
                    self._engines[tenant] = engine
        return engine

    def close(self) -> None:
        with self._lock:
            self._closed = True
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()  # stops its threads, flushes its audit records
        self._database.dispose()
