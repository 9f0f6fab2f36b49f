"""Transfers to third parties over HTTP, each under the person's separate consent (PIPL 23).

The app backend asks for a transfer and learns what left, what was withheld and why; the log any
read-only key can follow holds ids, field names and reasons, never a value or the recipient's
pseudonym of the person. An admin redelivers, tells recipients of withdrawals (PIPL 15) and
reconciles what a crash or a failing recipient left owed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentgate.runtime.sharing.schemas import NotificationRecord, TransferRecord, TransferResult
from consentgate.service.auth import Admin, AppBackend, ReadOnly, engine_of
from consentgate.service.input_contract import ContractModel, IdText
from consentgate.service.problems import MEDIA_TYPE, ProblemOut
from consentgate.service.routers._params import IdPath, SubjectPath, known
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1", tags=["sharing"])

Item = IdText
# Sending reaches outside: a recipient that fails every attempt is the one 5xx this router gives.
_SINK_FAILED: dict[int | str, dict[str, Any]] = {
    502: {
        "model": ProblemOut,
        "content": {MEDIA_TYPE: {}},
        "description": "The recipient failed every attempt",
    }
}


class TransferIn(ContractModel):
    model_config = ConfigDict(strict=True)

    subject: str = Field(min_length=1, max_length=200)
    purpose: Item
    recipient: Item
    data: list[Item] = Field(min_length=1, max_length=200)


class TransferOut(BaseModel):
    transfer_id: str
    status: str
    recipient: str
    purpose: str
    sent: list[str]
    withheld: dict[str, str]  # data item -> the gate's reason code
    missing: list[str]
    reason: str
    message: Bilingual
    citations: list[str]
    consent_event_id: str | None
    receipt: str | None


class TransferLogOut(BaseModel):
    transfer_id: str
    recipient: str
    purpose: str
    requested: list[str]
    fields: list[str]
    withheld: dict[str, str]
    missing: list[str]
    status: str
    reason: str
    consent_event_id: str | None
    attempts: int
    notification_id: str | None
    created_at: datetime
    updated_at: datetime


class NotificationOut(BaseModel):
    notification_id: str
    subject: str
    recipient: str
    purpose: str
    reason: str
    fields: list[str]
    status: str
    consent_event_id: str | None
    attempts: int
    created_at: datetime


def transfer_out(result: TransferResult) -> TransferOut:
    return TransferOut(
        transfer_id=result.transfer_id,
        status=result.status.value,
        recipient=result.recipient,
        purpose=result.purpose,
        sent=list(result.sent),
        withheld={item: str(code) for item, code in result.withheld.items()},
        missing=list(result.missing),
        reason=result.reason.value,
        message=Bilingual.of(result.message),
        citations=list(result.citations),
        consent_event_id=result.consent_event_id,
        receipt=result.receipt,
    )


def log_out(record: TransferRecord) -> TransferLogOut:
    return TransferLogOut(
        transfer_id=record.transfer_id,
        recipient=record.recipient,
        purpose=record.purpose,
        requested=list(record.requested),
        fields=list(record.fields),
        withheld=dict(record.withheld),
        missing=list(record.missing),
        status=record.status.value,
        reason=record.reason,
        consent_event_id=record.consent_event_id,
        attempts=record.attempts,
        notification_id=record.notification_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def notification_out(record: NotificationRecord) -> NotificationOut:
    return NotificationOut(
        notification_id=record.notification_id,
        subject=record.subject,
        recipient=record.recipient,
        purpose=record.purpose,
        reason=record.reason.value,
        fields=list(record.fields),
        status=record.status.value,
        consent_event_id=record.consent_event_id,
        attempts=record.attempts,
        created_at=record.created_at,
    )


@router.post("/sharing/transfers", response_model=TransferOut, status_code=201, responses=_SINK_FAILED)
def transfer(body: TransferIn, request: Request, caller: AppBackend) -> TransferOut:
    """Sends the separately consented part of `data`; the rest is withheld with the gate's reason.

    A refusal is a transfer too (logged, status `refused`); a recipient that fails every attempt is a
    502 problem, and the transfer waits, recorded as failed, for `redeliver`."""
    engine = engine_of(request, caller)
    subject = known(engine, body.subject)
    return transfer_out(engine.sharing.transfer(subject, body.purpose, body.recipient, body.data))


@router.post("/sharing/transfers/{transfer_id}/redeliver", response_model=TransferOut, responses=_SINK_FAILED)
def redeliver(transfer_id: IdPath, request: Request, caller: Admin) -> TransferOut:
    """Retries a failed or pending transfer, asking the gate again (a withdrawal since makes it a refusal)."""
    return transfer_out(engine_of(request, caller).sharing.redeliver(transfer_id))


@router.get("/subjects/{subject}/transfers", response_model=list[TransferLogOut])
def transfer_log(subject: SubjectPath, request: Request, caller: ReadOnly) -> list[TransferLogOut]:
    """Every transfer of the person's data, refusals included, oldest first."""
    engine = engine_of(request, caller)
    return [log_out(r) for r in engine.sharing.transfers(known(engine, subject))]


@router.post("/subjects/{subject}/transfers/notify-withdrawals", response_model=list[NotificationOut])
def notify_withdrawals(subject: SubjectPath, request: Request, caller: Admin) -> list[NotificationOut]:
    """Tells each recipient that got the person's data under a consent that has since ended."""
    engine = engine_of(request, caller)
    return [notification_out(n) for n in engine.sharing.notify_withdrawals(known(engine, subject))]


@router.post("/sharing/reconcile", response_model=list[NotificationOut])
def reconcile(request: Request, caller: Admin) -> list[NotificationOut]:
    """Sends every notice still owed in the caller's tenant (safe to run any time)."""
    return [notification_out(n) for n in engine_of(request, caller).sharing.reconcile()]
