"""The service's configuration, from the environment (twelve-factor): nothing is read from files but the manifest."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from consentgate.errors import UsageError
from consentgate.store.database import ENV_URL, database_url

ENV_MANIFEST = "CONSENTGATE_MANIFEST"
ENV_CATALOG = "CONSENTGATE_CATALOG"


@dataclass(frozen=True)
class Settings:
    manifest: Path
    database_url: str
    catalog: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        """`CONSENTGATE_MANIFEST` (required), `CONSENTGATE_DATABASE_URL` (default: the embedded SQLite
        file) and `CONSENTGATE_CATALOG` (the feed's content catalog, optional)."""
        manifest = os.environ.get(ENV_MANIFEST)
        if not manifest:
            raise UsageError.from_key("service.no_manifest", variable=ENV_MANIFEST)
        catalog = os.environ.get(ENV_CATALOG)
        return cls(
            manifest=Path(manifest),
            database_url=database_url(os.environ.get(ENV_URL)),
            catalog=Path(catalog) if catalog else None,
        )
