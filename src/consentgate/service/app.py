"""The FastAPI application: one manifest, one database, one Engine per tenant, keys at the door.

`create_app(settings)` is the whole wiring; `app_from_env()` is what `consentgate serve` (and uvicorn
with `--factory`) starts. Start-up audits the manifest exactly as the library does and refuses an
unlawful one before a single request is served.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentgate import __version__
from consentgate.errors import ConsentgateError
from consentgate.manifest.loader import load_manifest
from consentgate.runtime.apikeys.service import ApiKeyService
from consentgate.runtime.ports import SystemClock
from consentgate.runtime.sessions import ABSOLUTE_LIFETIME, WebSessions
from consentgate.runtime.startup import refuse_unlawful
from consentgate.service.input_contract import refuse_hostile_parameters
from consentgate.service.problems import (
    RESPONSES,
    consentgate_error,
    database_data_error,
    http_error,
    validation_error,
)
from consentgate.service.ratelimit import PublicLimiter
from consentgate.service.routers import (
    auditlog,
    browse,
    consent,
    decide,
    feed,
    health,
    marketing,
    notices,
    onboarding,
    profiles,
    push,
    rights,
    sharing,
    weblinks,
    websessions,
)
from consentgate.service.settings import Settings
from consentgate.service.tenancy import EngineRegistry, load_tenant_manifests
from consentgate.service.web import basics, console, demo, home, privacy
from consentgate.service.web import browse as browse_pages
from consentgate.service.web import onboarding as onboarding_pages
from consentgate.service.web.errors import as_page
from consentgate.service.web.headers import SecurityHeaders
from consentgate.service.web.links import SignInLinks
from consentgate.service.web.server_sessions import ServerSessions
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade

DESCRIPTION = """consentgate enforces one processing manifest at run time: every release of personal
data passes the decision gate, consent is an append-only ledger, and people's rights requests are
carried out within the legal deadline. Authenticate with `Authorization: Bearer <api key>`; the key
decides the tenant. Errors are `application/problem+json` with a stable `code` and zh/en text."""


# Every route's parameters and form fields under the input contract, before its own dependencies run.
_CONTRACT = [Depends(refuse_hostile_parameters)]


def create_app(settings: Settings) -> FastAPI:
    loaded = load_manifest(settings.manifest)
    refuse_unlawful(loaded)  # the same refusal as Engine.from_manifest, before anything listens
    key_provider = settings.key_provider()  # no key from outside the database: refused before anything runs
    database = Database(settings.database_url)
    upgrade(database)
    keys = ApiKeyService(database, clock=SystemClock(), touch_in_background=True)
    engines = EngineRegistry(
        loaded,
        database,
        manifests=load_tenant_manifests(settings.tenant_manifests) if settings.tenant_manifests else None,
        catalog=settings.catalog,
        unsubscribe_url=settings.public_url.rstrip("/") + marketing.UNSUBSCRIBE_PATH,
        keys=key_provider,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            keys.close()  # pending last-use writes first: they use the database the engines release
            engines.close()  # flushes buffered audit records, stops the watchers (SIGTERM included)

    app = FastAPI(
        title="consentgate",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.links = SignInLinks(settings.session_secret)
    app.state.engines = engines
    app.state.keys = keys
    app.state.sessions = WebSessions(database, clock=SystemClock())  # the web pages' sessions
    app.state.manifest = loaded
    app.state.public_limiter = PublicLimiter(settings.public_rate, settings.rate_limit_storage)
    app.add_exception_handler(ConsentgateError, as_page(consentgate_error))
    app.add_exception_handler(RequestValidationError, as_page(validation_error))
    app.add_exception_handler(StarletteHTTPException, as_page(http_error))
    app.add_exception_handler(DataError, as_page(database_data_error))
    for module in (
        health,
        decide,
        consent,
        notices,
        rights,
        auditlog,
        onboarding,
        browse,
        profiles,
        feed,
        push,
        marketing,
        sharing,
        weblinks,
        websessions,
    ):
        app.include_router(module.router, responses=RESPONSES, dependencies=_CONTRACT)
    _add_pages(app, settings)
    return app


def _add_pages(app: FastAPI, settings: Settings) -> None:
    """The web pages: their routers, the vendored static files, the session cookie, the headers."""
    static = resources.files("consentgate.service").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (basics, onboarding_pages, home, browse_pages, privacy, console, demo):
        app.include_router(module.router, dependencies=_CONTRACT)
    lifetime = int(ABSOLUTE_LIFETIME.total_seconds())
    app.add_middleware(ServerSessions, lifetime_seconds=lifetime, https=settings.secure_cookies)
    app.add_middleware(SecurityHeaders, https=settings.secure_cookies)


def app_from_env() -> FastAPI:
    return create_app(Settings.from_env())
