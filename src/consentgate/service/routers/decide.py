"""`POST /v1/decide`: may this data be processed for this purpose (and go to this recipient)?"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1", tags=["decide"])


class DecideRequest(BaseModel):
    subject: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=80)
    data: list[str] = Field(default_factory=list, max_length=200)
    recipient: str | None = Field(default=None, max_length=80)


class DecisionOut(BaseModel):
    allowed: bool
    reason_code: str
    message: Bilingual
    citations: list[str]
    consent_event_id: str | None


@router.post("/decide", response_model=DecisionOut)
async def decide(body: DecideRequest, request: Request, caller: AppBackend) -> DecisionOut:
    """Every release of personal data asks here first; an allowance is written to the audit log.

    async: a warm decision is two dict lookups in the gate's cache, far cheaper than the thread-pool
    hop a sync endpoint pays. A miss reads the person's facts (one indexed read) on the event loop.
    """
    decision = engine_of(request, caller).gate.decide(
        body.subject, body.purpose, tuple(sorted(body.data)), body.recipient
    )
    return DecisionOut(
        allowed=decision.allowed,
        reason_code=decision.reason_code.value,
        message=Bilingual.of(decision.message),
        citations=list(decision.citations),
        consent_event_id=decision.consent_event_id,
    )
