"""The notice versions people are shown (read-only here; publishing is the manifest's or an admin's)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from consentgate.runtime.notices.schemas import NoticeVersion
from consentgate.service.auth import ReadOnly, engine_of
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1", tags=["notices"])


class NoticeOut(BaseModel):
    notice_id: str
    version: str
    content_hash: str
    text: Bilingual
    purposes: list[str]
    data: list[str]
    recipients: list[str]
    change: str
    published_at: datetime


def notice_out(version: NoticeVersion) -> NoticeOut:
    return NoticeOut(
        notice_id=version.notice_id,
        version=version.version,
        content_hash=version.content_hash,
        text=Bilingual.of(version.text),
        purposes=sorted(version.purposes),
        data=sorted(version.data),
        recipients=sorted(version.recipients),
        change=version.change.value,
        published_at=version.published_at,
    )


@router.get("/notices", response_model=list[NoticeOut])
def versions(request: Request, caller: ReadOnly) -> list[NoticeOut]:
    """Every published version, in publication order."""
    return [notice_out(v) for v in engine_of(request, caller).notices.versions()]
