"""The demo: the seed case's English-learning app, done right, served at /demo on the same pages.

"Sign up" makes a fresh account (no name, no data: an id the app would have created) and walks it
through the real onboarding, home and privacy center. Only when the service is started with a demo
tenant; otherwise /demo does not exist. Anyone can sign up, so sign-ups share the public rate limit.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from consentgate.i18n import message
from consentgate.runtime.engine import Engine
from consentgate.service.ratelimit import public_rate_limit
from consentgate.service.web import session
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.render import lang_of, page, see_other

router = APIRouter(include_in_schema=False)


def demo_tenant(request: Request) -> str:
    """The tenant the demo runs in; a 404 when the service was started without one."""
    tenant: str | None = request.app.state.settings.demo_tenant
    if tenant is None:
        raise HTTPException(status_code=404)
    return tenant


DemoTenant = Annotated[str, Depends(demo_tenant)]


@router.get("/demo")
def demo_page(request: Request, tenant: DemoTenant) -> Response:
    engine: Engine = request.app.state.engines.get(tenant)
    held = session.person(request)
    app_name = engine.manifest.app.name
    return page(
        request,
        "web/demo.html.j2",
        title=message("web.demo_title", app=app_name).in_(lang_of(request)),
        app_name=app_name,
        signed_in_here=held is not None and held.tenant == tenant,
    )


@router.post("/demo/start", dependencies=[Depends(public_rate_limit)])
def start(request: Request, tenant: DemoTenant, _form: CheckedForm) -> Response:
    """A new account, signed in, at the first onboarding screen (the notice)."""
    engine: Engine = request.app.state.engines.get(tenant)
    subject = "demo-" + secrets.token_hex(8)
    engine.consent.register_subject(subject)
    session.sign_in_person(request, tenant, subject)
    return see_other("/me/onboarding")
