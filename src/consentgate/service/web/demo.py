"""The demo: the seed case's English-learning app, done right, served at /demo on the same pages.

"Sign up" first shows the notice to a visitor who has no account (`/demo/welcome`); only 「同意」 makes
a fresh account (no name, no data: an id the app would have created), signs it in and walks it through
the real onboarding, home and privacy center. 「仅浏览」 creates nobody and opens browse-only mode
(`web/browse.py`). Only when the service is started with a demo tenant; otherwise /demo does not
exist. Anyone can sign up, so sign-ups share the public rate limit.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from consentgate.i18n import message
from consentgate.manifest.models import ScreenAction
from consentgate.runtime.consent.schemas import Evidence
from consentgate.runtime.engine import Engine
from consentgate.service.ratelimit import public_rate_limit
from consentgate.service.web import session
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.onboarding_view import shown_screen
from consentgate.service.web.render import lang_of, page, see_other

router = APIRouter(include_in_schema=False)

WELCOME = "/demo/welcome"
USER_AGENT_MAX = 300


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


@router.get("/demo/welcome")
def welcome_page(request: Request, tenant: DemoTenant) -> Response:
    """The notice screen for a visitor: nobody is registered or named until they agree."""
    engine: Engine = request.app.state.engines.get(tenant)
    screen = shown_screen(engine, engine.onboarding.welcome())
    return page(
        request,
        "web/onboarding.html.j2",
        title=screen.heading.in_(lang_of(request)),
        screen=screen,
        app_name=engine.manifest.app.name,
        form_action=WELCOME,
    )


@router.post(WELCOME, dependencies=[Depends(public_rate_limit)])
def welcome_answer(request: Request, tenant: DemoTenant, form: CheckedForm) -> Response:
    """Agree: a new account, signed in, past the notice. Browse: nobody, nothing, browse-only mode."""
    engine: Engine = request.app.state.engines.get(tenant)
    welcome = engine.onboarding.welcome()
    action = form.get("action")
    if action == ScreenAction.BROWSE and ScreenAction.BROWSE in welcome.actions:
        return see_other("/demo/browse")
    if action != ScreenAction.AGREE or welcome.is_home or not welcome.screen_id:
        return see_other(WELCOME)  # tampered: nothing recorded
    subject = "demo-" + secrets.token_hex(8)
    user_agent = (request.headers.get("user-agent") or "")[:USER_AGENT_MAX] or None
    engine.onboarding.submit(
        subject, welcome.screen_id, {}, locale=lang_of(request), evidence=Evidence(user_agent=user_agent)
    )
    session.sign_in_person(request, tenant, subject)
    return see_other("/me/onboarding")
