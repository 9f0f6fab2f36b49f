"""Sign-in links to the privacy pages, asked for by the app's backend for one of its signed-in users."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.input_contract import ContractModel
from consentgate.service.routers._params import SubjectPath, known
from consentgate.service.web.links import LINK_TTL, SignInLinks

router = APIRouter(prefix="/v1/subjects/{subject}/web-link", tags=["web"])

LANDINGS = {"privacy": "/me/privacy", "onboarding": "/me/onboarding", "home": "/me/home"}


class LinkIn(ContractModel):
    model_config = ConfigDict(strict=True)

    page: Literal["privacy", "onboarding", "home"] = "privacy"


class LinkOut(BaseModel):
    url: str
    expires_in: int


@router.post("", response_model=LinkOut, status_code=201)
def sign_in_link(subject: SubjectPath, body: LinkIn, request: Request, caller: AppBackend) -> LinkOut:
    """A link that signs the person in to the privacy pages (valid `expires_in` seconds): send it only
    to their own signed-in session in the app."""
    known(engine_of(request, caller), subject)
    links: SignInLinks = request.app.state.links
    token = links.token(caller.tenant, subject, LANDINGS[body.page])
    base = request.app.state.settings.public_url.rstrip("/")
    return LinkOut(url=f"{base}/web/enter?token={token}", expires_in=LINK_TTL)
