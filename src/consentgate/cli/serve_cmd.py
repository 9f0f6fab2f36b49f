"""`consentgate serve`: the HTTP service (FastAPI on uvicorn), configured from the environment.

Options are a convenience that set the same environment variables the workers read, so that every
worker process (`--workers N`) builds the same app from the same settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from consentgate.cli.app import app, reported
from consentgate.cli.runtime_cmd import unavailable_database_reported
from consentgate.service.settings import (
    ENV_CATALOG,
    ENV_MANIFEST,
    ENV_SESSION_SECRET,
    ENV_TENANT_MANIFESTS,
    Settings,
    new_session_secret,
)
from consentgate.store.database import ENV_URL
from consentgate.store.opening import open_database, require_sqlite_file


@app.command("serve")
def serve(
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", "-m", envvar=ENV_MANIFEST, help="Processing manifest / 处理清单"),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar=ENV_URL, help="Default: embedded SQLite file")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", envvar=ENV_CATALOG, help="Feed content")
    ] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 1,
    tenant_manifests: Annotated[
        Path | None,
        typer.Option(
            "--tenant-manifests",
            envvar=ENV_TENANT_MANIFESTS,
            help="Folder of <tenant>.yaml overriding --manifest per tenant / 各租户的处理清单目录",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API / 启动 HTTP 服务。"""
    import uvicorn

    for variable, value in ((ENV_MANIFEST, manifest), (ENV_URL, database_url), (ENV_CATALOG, catalog)):
        if value is not None:
            os.environ[variable] = str(value)
    if tenant_manifests is not None:
        os.environ[ENV_TENANT_MANIFESTS] = str(tenant_manifests)
    # Every worker must sign and check the web session with the same secret: one is made here when the
    # environment has none (sessions then end when the service stops; set it to keep them).
    os.environ.setdefault(ENV_SESSION_SECRET, new_session_secret())
    with reported(), unavailable_database_reported(os.environ.get(ENV_URL)):
        settings = Settings.from_env()
        # Serve what `consentgate db upgrade` made: a missing or outdated database is refused (exit 2),
        # after the key check (a server database without a key is refused before it is touched).
        require_sqlite_file(settings.database_url)
        settings.key_provider()
        open_database(settings.database_url).dispose()
        from consentgate.service.app import create_app

        create_app(settings)  # refuses an unlawful manifest here, with exit 2, before forking
    uvicorn.run(
        "consentgate.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,  # access lines carry paths with subject ids: personal data stays out of logs
    )
