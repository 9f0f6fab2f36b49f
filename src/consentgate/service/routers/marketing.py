"""Marketing over HTTP: campaigns (admin), people's own addresses (app backend), and the unsubscribe link.

The link in every message leads to `/v1/marketing/unsubscribe/{token}`. It is public: the person
taps it in an SMS and has no key. The token is the credential (256 random bits, stored hashed), and
it names its tenant the way an API key does — nothing in the request is trusted to. A second tap
changes nothing and answers the same; an unknown or malformed token is a 404 problem. Opening the link
(GET) shows a page that asks; only its button (POST) unsubscribes, so a messaging app's link preview,
which fetches every link it shows, unsubscribes no one.
"""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from consentgate.i18n import message
from consentgate.runtime.messaging.addresses import token_hash
from consentgate.runtime.messaging.errors import UnknownUnsubscribeToken
from consentgate.runtime.messaging.models import UnsubscribeTokenRow
from consentgate.runtime.messaging.schemas import Campaign, CampaignReport
from consentgate.service.auth import Admin, AppBackend, ReadOnly, engine_of
from consentgate.service.input_contract import AddressText, ContractModel, LineText
from consentgate.service.problems import language
from consentgate.service.ratelimit import public_rate_limit
from consentgate.service.routers._params import IdPath, SubjectPath
from consentgate.service.routers.schemas import Bilingual
from consentgate.text import Lang, Text

router = APIRouter(prefix="/v1", tags=["marketing"])

# Where the link in a message points: MessagingConfig.unsubscribe_url is UNSUBSCRIBE_PATH under the
# service's public address.
_UNSUBSCRIBE = "/marketing/unsubscribe/{token}"
UNSUBSCRIBE_PATH = router.prefix + _UNSUBSCRIBE
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")  # secrets.token_urlsafe's alphabet
Line = LineText


class TextIn(ContractModel):
    model_config = ConfigDict(strict=True)

    zh: Line
    en: Line


class CampaignIn(ContractModel):
    model_config = ConfigDict(strict=True)

    campaign_id: str = Field(min_length=1, max_length=80)
    channel: str = Field(min_length=1, max_length=16)
    text: TextIn


class CampaignOut(BaseModel):
    campaign_id: str
    channel: str
    purpose: str
    text: Bilingual
    created_at: datetime


class ReportOut(BaseModel):
    campaign_id: str
    considered: int
    statuses: dict[str, int]
    denied_by_reason: dict[str, int]
    already_sent: int


class AddressIn(ContractModel):
    model_config = ConfigDict(strict=True)

    address: AddressText


class UnsubscribedOut(BaseModel):
    """What the person who tapped the link sees; never their subject id (the link may be forwarded)."""

    unsubscribed: bool
    channel: str
    purpose: str
    at: datetime
    detail: str
    message: Bilingual


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        campaign_id=campaign.campaign_id,
        channel=campaign.channel,
        purpose=campaign.purpose,
        text=Bilingual.of(campaign.text),
        created_at=campaign.created_at,
    )


@router.post("/marketing/campaigns", response_model=CampaignOut, status_code=201)
def create(body: CampaignIn, request: Request, caller: Admin) -> CampaignOut:
    """Declares a campaign on a channel; the same one again is returned, different content is a 409."""
    text = Text(zh=body.text.zh, en=body.text.en)
    messaging = engine_of(request, caller).messaging
    return campaign_out(messaging.create_campaign(body.campaign_id, channel=body.channel, text=text))


@router.get("/marketing/campaigns/{campaign_id}", response_model=CampaignOut)
def campaign(campaign_id: IdPath, request: Request, caller: ReadOnly) -> CampaignOut:
    return campaign_out(engine_of(request, caller).messaging.campaign(campaign_id))


@router.post("/marketing/campaigns/{campaign_id}/send", response_model=ReportOut)
def send(campaign_id: IdPath, request: Request, caller: Admin) -> ReportOut:
    """Offers the campaign to every subject: only a live consent lets a message go. Safe to run again."""
    report: CampaignReport = engine_of(request, caller).messaging.send_campaign(campaign_id)
    return ReportOut(
        campaign_id=report.campaign_id,
        considered=report.considered,
        statuses={status.value: count for status, count in report.statuses.items()},
        denied_by_reason=dict(report.denied_by_reason),
        already_sent=report.already_sent,
    )


@router.put("/subjects/{subject}/addresses/{channel}", status_code=204)
def register_address(
    subject: SubjectPath, channel: IdPath, body: AddressIn, request: Request, caller: AppBackend
) -> None:
    """The person's own address on a channel (kept as a keyed hash): how an address finds its person."""
    engine_of(request, caller).messaging.register_address(subject, channel, body.address)


@router.get(
    _UNSUBSCRIBE,
    response_class=HTMLResponse,
    operation_id="unsubscribe_link",
    dependencies=[Depends(public_rate_limit)],
    responses={200: {"content": {"text/html": {}}, "description": "A page asking to confirm"}},
)
def confirm(token: str, request: Request) -> HTMLResponse:
    """The page the link opens: it asks, and changes nothing. A link preview in a messaging app fetches
    the link too; only the person's tap on the button (a POST) unsubscribes."""
    _tenant_of(request, token)  # an unknown token is a 404 problem, not a page
    return _page(request, form=True, body=message("service.unsubscribe_confirm"))


@router.post(
    _UNSUBSCRIBE,
    response_model=UnsubscribedOut,
    operation_id="unsubscribe",
    dependencies=[Depends(public_rate_limit)],
    responses={200: {"content": {"text/html": {}}, "description": "The same answer as a page, for a form"}},
)
def unsubscribe(token: str, request: Request, response: Response) -> UnsubscribedOut | HTMLResponse:
    """Withdraws the consent the message rested on, at once. Public: the token is the only credential."""
    tenant = _tenant_of(request, token)
    done = request.app.state.engines.get(tenant).messaging.unsubscribe(token)
    if "text/html" in request.headers.get("accept", ""):
        return _page(request, form=False, body=message("service.unsubscribed", channel=done.channel))
    lang = language(request)
    text = message("service.unsubscribed", channel=done.channel)
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-store"
    return UnsubscribedOut(
        unsubscribed=True,
        channel=done.channel,
        purpose=done.purpose,
        at=done.at,
        detail=text.in_(lang),
        message=Bilingual.of(text),
    )


_PAGES = Environment(
    loader=PackageLoader("consentgate.service", "templates"), autoescape=True, undefined=StrictUndefined
)


def _page(request: Request, *, form: bool, body: Text) -> HTMLResponse:
    """A small bilingual page (no script, no CDN): the caller's language first, the other below."""
    lang = language(request)
    other_lang: Lang = "en" if lang == "zh" else "zh"
    title = message("service.unsubscribe_title")
    html = _PAGES.get_template("unsubscribe.html.j2").render(
        lang=lang,
        other_lang=other_lang,
        title=title.in_(lang),
        body=body.in_(lang),
        button=message("service.unsubscribe_button").in_(lang),
        other=body.in_(other_lang),
        form=form,
    )
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Content-Language": lang})


def _tenant_of(request: Request, token: str) -> str:
    """The tenant whose message carried the token, found by the token's hash across tenants.

    The one lookup not scoped by a caller's tenant, because the caller has none: like an API key, the
    unguessable token itself names the tenant."""
    if not _TOKEN.fullmatch(token):
        raise UnknownUnsubscribeToken.from_key("messaging.unknown_token")
    with request.app.state.engines.database.reading() as session:
        tenant: str | None = session.scalars(
            select(UnsubscribeTokenRow.tenant_id).where(UnsubscribeTokenRow.token_hash == token_hash(token))
        ).first()
    if tenant is None:
        raise UnknownUnsubscribeToken.from_key("messaging.unknown_token")
    return tenant
