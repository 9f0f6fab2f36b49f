"""Data-subject requests: receive, verify identity, carry out, refuse, follow, download, certify."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from consentgate.errors import ConsentgateError
from consentgate.runtime.rights.deadlines import is_provisional, local_date
from consentgate.runtime.rights.schemas import RightsKind, RightsRequest
from consentgate.service.auth import (
    ExportsCopies,
    FilesRequests,
    FulfilsRequests,
    ReadOnly,
    RefusesRequests,
    VerifiesIdentity,
    engine_of,
)
from consentgate.service.input_contract import Clean, ContractModel
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1/rights", tags=["rights"])
RequestPath = Annotated[str, Path(min_length=1, max_length=64), Clean]


class RequestIn(ContractModel):
    subject: str = Field(min_length=1, max_length=200)
    kind: RightsKind
    details: dict[str, Any] = Field(default_factory=dict)


class RefusalIn(ContractModel):
    reason: str = Field(min_length=1, max_length=64)


class RefusalOut(BaseModel):
    reason: str
    message: Bilingual
    citations: list[str]


class RequestOut(BaseModel):
    request_id: str
    subject: str
    kind: RightsKind
    status: str
    details: dict[str, Any]
    received_at: datetime
    due_on: date
    due_on_provisional: bool  # counted past the last published official holiday schedule
    finished_at: datetime | None
    refusal: RefusalOut | None


def request_out(request: RightsRequest) -> RequestOut:
    refusal = request.refusal
    return RequestOut(
        request_id=request.request_id,
        subject=request.subject,
        kind=request.kind,
        status=request.status.value,
        details=dict(request.details),
        received_at=request.received_at,
        due_on=request.due_on,
        due_on_provisional=is_provisional(request.due_on),
        finished_at=request.finished_at,
        refusal=RefusalOut(
            reason=refusal.reason_key,
            message=Bilingual.of(refusal.message),
            citations=list(refusal.citations),
        )
        if refusal
        else None,
    )


@router.post("/requests", response_model=RequestOut, status_code=201)
def receive(body: RequestIn, request: Request, caller: FilesRequests) -> RequestOut:
    """A repeated request while one of its kind is open returns the open one (same id, same deadline)."""
    rights = engine_of(request, caller).rights
    return request_out(rights.request(body.subject, body.kind, details=body.details))


@router.get("/requests/{request_id}", response_model=RequestOut)
def status(request_id: RequestPath, request: Request, caller: ReadOnly) -> RequestOut:
    return request_out(engine_of(request, caller).rights.get(request_id))


@router.post("/requests/{request_id}/verify-identity", response_model=RequestOut)
def verify_identity(request_id: RequestPath, request: Request, caller: VerifiesIdentity) -> RequestOut:
    """The requester was checked to be the person (PIPL 50); only then can the request be carried out.
    An admin key's step, as in the console (`runtime/apikeys/policy.py`)."""
    return request_out(engine_of(request, caller).rights.verify_identity(request_id))


@router.post("/requests/{request_id}/fulfil", response_model=RequestOut)
def fulfil(request_id: RequestPath, request: Request, caller: FulfilsRequests) -> RequestOut:
    return request_out(engine_of(request, caller).rights.fulfil(request_id))


@router.post("/requests/{request_id}/refuse", response_model=RequestOut)
def refuse(request_id: RequestPath, body: RefusalIn, request: Request, caller: RefusesRequests) -> RequestOut:
    """Only for a reason the law allows for the request's kind; the answer cites it (PIPL 50)."""
    return request_out(engine_of(request, caller).rights.refuse(request_id, body.reason))


@router.get(
    "/requests/{request_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The copy: JSON, CSV, zh/en HTML"}},
)
def export(request_id: RequestPath, request: Request, caller: ExportsCopies) -> Response:
    content = engine_of(request, caller).rights.export(request_id)
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="consentgate-copy-{request_id}.zip"',
            "Cache-Control": "no-store",  # a person's data: never kept by a proxy or the browser cache
        },
    )


@router.get("/requests/{request_id}/certificate")
def certificate(request_id: RequestPath, request: Request, caller: ReadOnly) -> dict[str, Any]:
    """The deletion certificate: what was erased, when, who was told — no personal data."""
    return engine_of(request, caller).rights.certificate(request_id).as_document()


@router.get("/overdue", response_model=list[RequestOut])
def overdue(
    request: Request,
    caller: ReadOnly,
    today: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A Beijing date (YYYY-MM-DD); default: today"),
    ] = None,
) -> list[RequestOut]:
    """Open requests past their deadline, most overdue first."""
    engine = engine_of(request, caller)
    day = _day(today) if today else local_date(engine.clock.now())
    return [request_out(r) for r in engine.rights.overdue(day)]


def _day(text: str) -> date:
    """A strict ISO date: pydantic would also take "0" (a Unix time) for a date, which is no day at all."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDay.from_key("service.bad_day", value=text) from None


class BadDay(ConsentgateError):
    code = "service.bad_day"
