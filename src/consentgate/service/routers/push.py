"""Push campaigns over HTTP: an admin plans and sends; a read-only key follows the campaign.

Planning decides per subject, at the gate, whether the personalized variant may be used; sending
decides again, so a withdrawal between the two gets the generic push. Both resume where an
interrupted run stopped, so a repeated call is safe.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentgate.runtime.push.schemas import Campaign, CampaignRun, PushContent, SendReport
from consentgate.service.auth import Admin, ReadOnly, engine_of
from consentgate.service.input_contract import ContractModel, LineText
from consentgate.service.routers._params import IdPath
from consentgate.text import Text

router = APIRouter(prefix="/v1/push/campaigns", tags=["push"])

Line = LineText


class TextIn(ContractModel):
    model_config = ConfigDict(strict=True)

    zh: Line
    en: Line

    def text(self) -> Text:
        return Text(zh=self.zh, en=self.en)


class ContentIn(ContractModel):
    model_config = ConfigDict(strict=True)

    """A personalized variant may name data items in braces: `{english-level}`."""

    title: TextIn
    body: TextIn

    def content(self) -> PushContent:
        return PushContent(title=self.title.text(), body=self.body.text())


class CampaignIn(ContractModel):
    model_config = ConfigDict(strict=True)

    campaign_id: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1, max_length=200)
    generic: ContentIn
    personalized: ContentIn
    purpose: str | None = Field(default=None, max_length=80)


class SendIn(ContractModel):
    model_config = ConfigDict(strict=True)

    retry_failed: bool = False


class RunOut(BaseModel):
    campaign_id: str
    purpose: str
    created_at: datetime
    personalized: int
    generic: int
    planned: int
    complete: bool


class SendOut(BaseModel):
    campaign_id: str
    sent: int
    failed: int
    cancelled: int
    attempts: int
    downgraded: int  # planned personalized, sent generic: consent ended in between


def run_out(run: CampaignRun) -> RunOut:
    # `planned_through` is a subject id: a cursor for the service, not something to hand out.
    return RunOut(
        campaign_id=run.campaign_id,
        purpose=run.purpose,
        created_at=run.created_at,
        personalized=run.personalized,
        generic=run.generic,
        planned=run.planned,
        complete=run.complete,
    )


@router.post("", response_model=RunOut, status_code=201)
def plan(body: CampaignIn, request: Request, caller: Admin) -> RunOut:
    """Plans the campaign for every subject; the same campaign again resumes, different content is a 409."""
    campaign = Campaign(
        campaign_id=body.campaign_id,
        title=body.title,
        generic=body.generic.content(),
        personalized=body.personalized.content(),
        purpose=body.purpose,
    )
    return run_out(engine_of(request, caller).push.plan(campaign))


@router.post("/{campaign_id}/send", response_model=SendOut)
def send(campaign_id: IdPath, request: Request, caller: Admin, body: SendIn | None = None) -> SendOut:
    """Delivers what is pending; `retry_failed` first makes failed deliveries pending again."""
    retry = body.retry_failed if body is not None else False
    report: SendReport = engine_of(request, caller).push.send(campaign_id, retry_failed=retry)
    return SendOut(
        campaign_id=report.campaign_id,
        sent=report.sent,
        failed=report.failed,
        cancelled=report.cancelled,
        attempts=report.attempts,
        downgraded=report.downgraded,
    )


@router.get("/{campaign_id}", response_model=RunOut)
def status(campaign_id: IdPath, request: Request, caller: ReadOnly) -> RunOut:
    return run_out(engine_of(request, caller).push.campaign(campaign_id))
