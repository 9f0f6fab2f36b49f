"""Browse-only mode (「仅浏览」): what someone who did not agree to the notice can still use.

No account, no record, no personal information: the page shows the feed's non-personalized ranking
(which takes no person at all) and one button back to the notice, from where onboarding goes on as
usual (PIPL 16: refusing must not block basic use; MIIT 2023 notice, draft wording). `/demo/browse` is
the demo visitor's (no session names anybody); `/me/browse` is for a person the app signed in, who
chose 仅浏览 on the notice screen: nothing is recorded for them either.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentgate.i18n import message
from consentgate.runtime.engine import Engine
from consentgate.runtime.feed.errors import FeedMisconfigured
from consentgate.runtime.feed.schemas import FeedPage
from consentgate.service.web.access import SignedInPerson
from consentgate.service.web.demo import DemoTenant
from consentgate.service.web.render import lang_of, page

router = APIRouter(include_in_schema=False)

FEED_SIZE = 10


@router.get("/demo/browse")
def demo_browse(request: Request, tenant: DemoTenant) -> Response:
    engine: Engine = request.app.state.engines.get(tenant)
    return browse_page(request, engine, agree="/demo/welcome")


@router.get("/me/browse")
def person_browse(request: Request, who: SignedInPerson) -> Response:
    return browse_page(request, who.engine, agree="/me/onboarding")


def browse_page(request: Request, engine: Engine, *, agree: str) -> Response:
    engine.onboarding.browse()  # a manifest without a notice screen has no browse mode: a typed error
    feed: FeedPage | None
    try:
        feed = engine.feed.browse(FEED_SIZE)
    except FeedMisconfigured:  # no content catalog: browse-only mode without lessons
        feed = None
    app_name = engine.manifest.app.name
    return page(
        request,
        "web/browse.html.j2",
        title=message("web.browse_title", app=app_name).in_(lang_of(request)),
        app_name=app_name,
        feed=feed,
        agree=agree,
    )
