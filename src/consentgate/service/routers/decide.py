"""`POST /v1/decide`: may this data be processed for this purpose (and go to this recipient)?"""

from __future__ import annotations

import functools

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from consentgate.runtime.gate.decision import Decision
from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.input_contract import ContractModel
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1", tags=["decide"])


class DecideRequest(ContractModel):
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
async def decide(body: DecideRequest, request: Request, caller: AppBackend) -> Response:
    """Every release of personal data asks here first; an allowance is written to the audit log.

    async: a warm decision is two dict lookups in the gate's cache, far cheaper than the thread-pool
    hop a sync endpoint pays. A miss reads the person's facts and restriction (one short read
    transaction) on the event loop; on SQLite reads never wait for a writer (see `store.database`).
    """
    decision = engine_of(request, caller).gate.decide(
        body.subject, body.purpose, tuple(sorted(body.data)), body.recipient
    )
    return Response(_encoded(decision), media_type="application/json")


@functools.lru_cache(maxsize=8192)
def _encoded(decision: Decision) -> bytes:
    """The answer's JSON, once per distinct decision: the gate hands out a few shapes millions of times."""
    return orjson.dumps(
        {
            "allowed": decision.allowed,
            "reason_code": decision.reason_code.value,
            "message": {"zh": decision.message.zh, "en": decision.message.en},
            "citations": list(decision.citations),
            "consent_event_id": decision.consent_event_id,
        }
    )
