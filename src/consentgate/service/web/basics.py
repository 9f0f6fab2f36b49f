"""The pages' plumbing: the front door, the language switch, and entering through a sign-in link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from consentgate.service.ratelimit import public_rate_limit
from consentgate.service.web import session
from consentgate.service.web.access import NotSignedIn
from consentgate.service.web.links import SignInLinks
from consentgate.service.web.render import local_path, see_other

router = APIRouter(include_in_schema=False)


@router.get("/")
def front_door(request: Request) -> RedirectResponse:
    if session.person(request) is not None:
        return see_other("/me/privacy")
    return see_other("/demo" if request.app.state.settings.demo_tenant else "/console")


@router.get("/lang/{lang}")
def switch_language(
    lang: Literal["zh", "en"], request: Request, next: Annotated[str | None, Query(max_length=500)] = None
) -> RedirectResponse:
    """A link, not a form: choosing a language changes nothing but how pages read."""
    session.choose_language(request, lang)
    return see_other(local_path(next))


@router.get("/web/enter", dependencies=[Depends(public_rate_limit)])
def enter(request: Request, token: Annotated[str, Query(max_length=2000)]) -> RedirectResponse:
    """Anyone can try a link, so tries are rate-limited per address like every keyless endpoint."""
    links: SignInLinks = request.app.state.links
    holder = links.holder(token)
    if holder is None:
        raise NotSignedIn.from_key("service.sign_in_link_invalid")
    engine = request.app.state.engines.get(holder.tenant)
    if not engine.consent.known_subject(holder.subject):
        raise NotSignedIn.from_key("service.sign_in_link_invalid")
    session.sign_in_person(request, holder.tenant, holder.subject)
    return see_other(local_path(holder.next, "/me/privacy"))
