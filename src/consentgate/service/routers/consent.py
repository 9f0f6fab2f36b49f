"""People and their consents: register, give, refuse, withdraw, read the current state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from consentgate.runtime.consent.schemas import ConsentEvent, ConsentFact, Mechanism
from consentgate.service.auth import AppBackend, ReadOnly, engine_of
from consentgate.service.input_contract import ContractModel
from consentgate.service.routers._params import SubjectPath

router = APIRouter(prefix="/v1", tags=["consent"])

Id = Field(min_length=1, max_length=200)


class SubjectIn(ContractModel):
    subject: str = Id


class Decision(StrEnum):
    GIVE = "give"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


class ConsentIn(ContractModel):
    purpose: str = Field(min_length=1, max_length=80)
    decision: Decision
    recipient: str | None = Field(default=None, max_length=80)
    data: list[str] = Field(default_factory=list, max_length=200)
    notice_id: str | None = Field(default=None, max_length=80)
    notice_version: str | None = Field(default=None, max_length=80)
    mechanism: Mechanism = Mechanism.IN_FLOW


class EventOut(BaseModel):
    event_id: str
    purpose: str
    kind: str
    recipient: str | None
    notice_id: str | None
    notice_version: str | None
    occurred_at: datetime


class FactOut(BaseModel):
    purpose: str
    recipient: str | None
    status: str
    event_id: str
    notice_id: str | None
    notice_version: str | None
    data: list[str]
    mechanism: str
    updated_at: datetime


def _event(event: ConsentEvent) -> EventOut:
    return EventOut(
        event_id=event.event_id,
        purpose=event.purpose,
        kind=event.kind.value,
        recipient=event.recipient,
        notice_id=event.notice_id,
        notice_version=event.notice_version,
        occurred_at=event.occurred_at,
    )


def _fact(fact: ConsentFact) -> FactOut:
    return FactOut(
        purpose=fact.purpose,
        recipient=fact.recipient,
        status=fact.status.value,
        event_id=fact.event_id,
        notice_id=fact.notice_id,
        notice_version=fact.notice_version,
        data=list(fact.data),
        mechanism=fact.mechanism.value,
        updated_at=fact.updated_at,
    )


@router.post("/subjects", status_code=204)
def register(body: SubjectIn, request: Request, caller: AppBackend) -> None:
    """Makes a person known (idempotent): the app's own account id, never a phone number or a name."""
    engine_of(request, caller).consent.register_subject(body.subject)


@router.post("/subjects/{subject}/consents", response_model=EventOut, status_code=201)
def record(subject: SubjectPath, body: ConsentIn, request: Request, caller: AppBackend) -> EventOut:
    """Records one decision of the person's, on the notice version they were shown."""
    ledger = engine_of(request, caller).consent
    if body.decision is Decision.WITHDRAW:
        event = ledger.withdraw(subject, body.purpose, recipient=body.recipient, mechanism=body.mechanism)
    elif body.decision is Decision.REFUSE:
        event = ledger.refuse(
            subject,
            body.purpose,
            recipient=body.recipient,
            notice_id=body.notice_id,
            notice_version=body.notice_version,
            mechanism=body.mechanism,
        )
    else:
        event = ledger.give(
            subject,
            body.purpose,
            notice_id=body.notice_id or "",
            notice_version=body.notice_version or "",
            data=tuple(body.data),
            recipient=body.recipient,
            mechanism=body.mechanism,
        )
    return _event(event)


@router.get("/subjects/{subject}/consents", response_model=list[FactOut])
def current(subject: SubjectPath, request: Request, caller: ReadOnly) -> list[FactOut]:
    """The person's consents now, one per purpose (and recipient)."""
    facts = engine_of(request, caller).consent.facts(subject)
    return [_fact(fact) for _, fact in sorted(facts.items(), key=lambda item: (item[0][0], item[0][1] or ""))]
