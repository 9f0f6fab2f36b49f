"""The operator console: sign in with an API key, then the overview of the running manifest.

Signing in verifies the key once and keeps only its tenant and id in the session (never the key);
every page then asks whether that key is still live, so revoking it ends the session at once. The
other console pages live in `console_*` modules and are included here, the one router `app.py` adds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from consentgate.runtime.apikeys.errors import InvalidApiKey, MalformedApiKey, RevokedApiKey
from consentgate.runtime.apikeys.schemas import Principal
from consentgate.runtime.apikeys.service import ApiKeyService
from consentgate.service.ratelimit import PublicLimiter
from consentgate.service.web import console_auditlog, console_notices, console_requests, session
from consentgate.service.web.access import SignedInOperator
from consentgate.service.web.console_common import console_page, title
from consentgate.service.web.console_report import finding_rows, run_audit
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.render import local_path, page, see_other

router = APIRouter(include_in_schema=False)
for _part in (console_requests, console_notices, console_auditlog):
    router.include_router(_part.router)

HOME = "/console"
MAX_KEY_LENGTH = 512  # far above any key's length; a longer field is not a key


@router.get("/console/login")
def login_form(request: Request, next: Annotated[str | None, Query(max_length=500)] = None) -> HTMLResponse:
    return _login_page(request, local_path(next, HOME))


@router.post("/console/login", response_model=None)
def login(request: Request, form: CheckedForm) -> Response:
    """A wrong, malformed or revoked key all get the same answer: the page says nothing about which."""
    target = local_path(_text(form.get("next")), HOME)
    principal = _verified(request, _text(form.get("api_key")).strip())
    if principal is None:
        _count_failure(request)
        return _login_page(request, target, failed=True)
    scopes = tuple(sorted(scope.value for scope in principal.scopes))
    session.sign_in_operator(request, principal.tenant, principal.key_id, scopes)
    session.flash(request, "web.console_signed_in")
    return see_other(target)


@router.post("/console/logout")
def logout(request: Request, form: CheckedForm) -> Response:
    session.sign_out_operator(request)
    session.flash(request, "web.console_signed_out")
    return see_other("/console/login")


@router.get("/console")
def overview(request: Request, ctx: SignedInOperator) -> HTMLResponse:
    report = run_audit(ctx.engine.loaded)  # the operator's own tenant's manifest
    return console_page(
        request,
        ctx,
        "web/console_overview.html.j2",
        title=title(request, "web.console_overview_title"),
        report=report,
        active=finding_rows(report.active),
        suppressed=finding_rows(report.suppressed),
        statistics=ctx.engine.consent.statistics(),
    )


def _login_page(request: Request, target: str, *, failed: bool = False) -> HTMLResponse:
    return page(
        request,
        "web/console_login.html.j2",
        status=401 if failed else 200,
        title=title(request, "web.console_login_title"),
        next=target,
        failed=failed,
    )


def _verified(request: Request, token: str) -> Principal | None:
    if not token or len(token) > MAX_KEY_LENGTH:
        return None
    keys: ApiKeyService = request.app.state.keys
    try:
        return keys.verify(token)
    except (MalformedApiKey, InvalidApiKey, RevokedApiKey):
        return None


def _count_failure(request: Request) -> None:
    """Failed sign-ins share the keyless endpoints' budget per address: guessing gets slow, not free."""
    limiter: PublicLimiter = request.app.state.public_limiter
    limiter.check(request.client.host if request.client else "unknown")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
