"""The privacy center (`/me/privacy`): what is held about the person and why, their switches, their rights.

This module serves the overview; the forms live beside it — switches in `privacy_consents`, rights
requests in `privacy_requests`, deletion and account cancellation in `privacy_erase` — and their
routers are included here, since the app registers this module's router only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentgate.service.web import privacy_consents, privacy_erase, privacy_requests
from consentgate.service.web.access import SignedInPerson
from consentgate.service.web.privacy_view import center

router = APIRouter(include_in_schema=False)
router.include_router(privacy_consents.router)
router.include_router(privacy_requests.router)
router.include_router(privacy_erase.router)


@router.get("/me/privacy")
def privacy_center(request: Request, who: SignedInPerson) -> Response:
    return center(request, who)
