"""`GET /v1/auditlog/verify`: re-walk the caller's tenant's hash chain."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from consentgate.service.auth import ReadOnly, engine_of
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1", tags=["auditlog"])


class VerifyOut(BaseModel):
    ok: bool
    records_checked: int
    problem_kind: str | None
    problem_seq: int | None
    problem: Bilingual | None


@router.get("/auditlog/verify", response_model=VerifyOut)
def verify(request: Request, caller: ReadOnly) -> VerifyOut:
    engine = engine_of(request, caller)
    engine.auditlog.flush()  # what was decided before this call is in the chain it checks
    report = engine.auditlog.verify()
    found = report.problem
    return VerifyOut(
        ok=report.ok,
        records_checked=report.records_checked,
        problem_kind=found.kind if found else None,
        problem_seq=found.seq if found else None,
        problem=Bilingual.of(found.detail) if found else None,
    )
