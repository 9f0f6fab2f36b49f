"""The app's home page with its feed, and signing out.

Home is where onboarding ends: reached once every screen that blocks it is passed — and a screen of
optional questions is passed by skipping it, so refusing never keeps anyone out. The feed says on
top whether it is personalized (ARP 17) and links to the switch in the privacy center.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentgate.i18n import message
from consentgate.runtime.feed.errors import FeedMisconfigured
from consentgate.runtime.feed.schemas import FeedPage
from consentgate.service.web import session
from consentgate.service.web.access import SignedInPerson
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.render import lang_of, page, see_other

router = APIRouter(include_in_schema=False)

FEED_SIZE = 10
PRIVACY_CENTER = "/me/privacy"


@router.get("/me/home")
def home_page(request: Request, who: SignedInPerson) -> Response:
    screen = who.engine.onboarding.next_screen(who.subject)
    if not screen.is_home and screen.blocks_home:
        return see_other("/me/onboarding")
    feed: FeedPage | None
    try:
        feed = who.engine.feed.page(who.subject, limit=FEED_SIZE)
    except FeedMisconfigured:  # the service runs without a content catalog: a home without a feed
        feed = None
    manifest = who.engine.manifest
    return page(
        request,
        "web/home.html.j2",
        title=_title(request, manifest.app.name),
        app_name=manifest.app.name,
        feed=feed,
        questions_open=not screen.is_home,
        privacy_center=PRIVACY_CENTER,
    )


@router.post("/me/sign-out")
def sign_out(request: Request, _form: CheckedForm) -> Response:
    """Ends the person's web session (not the account); works even if the account is already gone.

    A form with the token, not a link: a third-party page must not be able to sign anyone out."""
    return leave(request, "web.home_signed_out")


@router.post("/me/sign-out-everywhere")
def sign_out_everywhere(request: Request, _form: CheckedForm) -> Response:
    """Ends every session of the person — other browsers, other devices, copies of the cookie — and this
    one; a person who is not signed in has nothing to end and is simply shown the signed-out page."""
    held = session.person(request)
    if held is not None:
        session.end_every_session(request, held.tenant, held.subject)
    return leave(request, "web.sign_out_everywhere_done")


@router.get("/me/signed-out")
def signed_out_page(request: Request) -> Response:
    return page(request, "web/home_signed_out.html.j2", title=_signed_out_title(request))


def leave(request: Request, flash_key: str) -> Response:
    """Signs the person out and says so: on the demo's front page for a demo user, else a plain page."""
    held = session.person(request)
    session.sign_out_person(request)
    session.flash(request, flash_key)
    demo = request.app.state.settings.demo_tenant
    return see_other("/demo" if held is not None and held.tenant == demo else "/me/signed-out")


def _title(request: Request, app_name: str) -> str:
    return message("web.home_title", app=app_name).in_(lang_of(request))


def _signed_out_title(request: Request) -> str:
    return message("web.home_signed_out_title").in_(lang_of(request))
