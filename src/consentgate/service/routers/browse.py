"""Before an account exists: the notice screen, and browse-only mode for someone who does not agree.

Refusing the notice must not shut the app (PIPL 16; MIIT 2023 notice, draft wording): an app shows
`GET /v1/onboarding/welcome` before it creates any account; on 「同意」 it registers the person and
posts the screen (`POST /v1/subjects/{id}/onboarding/screens/{screen_id}`), on 「仅浏览」 it registers
nobody and shows `GET /v1/browse` — the non-personalized feed, which takes no person at all. Neither
endpoint names, records or creates anybody.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from consentgate.runtime.feed.service import MAX_LIMIT
from consentgate.service.auth import ReadOnly, engine_of
from consentgate.service.routers.feed import PageOut, page_out
from consentgate.service.routers.onboarding import NoticeOut, ScreenOut, notice_out, screen_out

router = APIRouter(prefix="/v1", tags=["onboarding"])


class BrowseOut(BaseModel):
    agree_screen_id: str  # the notice screen to show again when the person agrees later
    notice: NoticeOut | None
    feed: PageOut  # never personalized: the same for everybody at the same moment


@router.get("/onboarding/welcome", response_model=ScreenOut)
def welcome(request: Request, caller: ReadOnly) -> ScreenOut:
    """The first screen (the notice, with agree and browse) as a visitor without an account sees it."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.welcome(), engine.manifest)


@router.get("/browse", response_model=BrowseOut)
def browse(
    request: Request,
    caller: ReadOnly,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> BrowseOut:
    """Browse-only mode: non-personalized content for nobody in particular, and the way back to agree."""
    engine = engine_of(request, caller)
    mode = engine.onboarding.browse()
    return BrowseOut(
        agree_screen_id=mode.agree_screen_id,
        notice=notice_out(engine.manifest, mode.notice),
        feed=page_out(engine.feed.browse(limit)),
    )
