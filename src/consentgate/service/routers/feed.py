"""The content feed over HTTP: a page that says whether it is personalized, and the one-tap switch.

The label is part of the answer (ARP 17: people must be able to tell a personalized feed), and so is
the link to switch; the switch is a consent given or withdrawn in settings, obeyed by the next page.
The feed needs the service's content catalog (`CONSENTGATE_CATALOG`); without one it answers 501.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from consentgate.runtime.feed.schemas import FeedItem, FeedPage
from consentgate.runtime.feed.service import MAX_LIMIT
from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.input_contract import ContractModel
from consentgate.service.routers._params import SubjectPath, known
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1/subjects/{subject}/feed", tags=["feed"])


class ModeIn(ContractModel):
    model_config = ConfigDict(strict=True)

    personalized: bool


class ModeOut(BaseModel):
    personalized: bool
    changed: bool  # False when the feed already was as asked: nothing was written
    consent_event_id: str | None


class ItemOut(BaseModel):
    item_id: str
    title: Bilingual
    reason: Bilingual
    why: str
    matched: list[str]  # the data items a personalized choice rests on (empty otherwise)


class PageOut(BaseModel):
    personalized: bool
    label: Bilingual
    items: list[ItemOut]
    settings_link: str
    settings_label: Bilingual


def _item(item: FeedItem) -> ItemOut:
    return ItemOut(
        item_id=item.item.id,
        title=Bilingual.of(item.item.title.text()),
        reason=Bilingual.of(item.reason),
        why=item.why.value,
        matched=list(item.matched),
    )


def page_out(page: FeedPage) -> PageOut:
    return PageOut(
        personalized=page.personalized,
        label=Bilingual.of(page.label),
        items=[_item(i) for i in page.items],
        settings_link=page.settings_link,
        settings_label=Bilingual.of(page.settings_label),
    )


@router.get("", response_model=PageOut)
def page(
    subject: SubjectPath,
    request: Request,
    caller: AppBackend,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> PageOut:
    """Personalized only on what the gate releases for the personalization purpose at this call."""
    engine = engine_of(request, caller)
    person = known(engine, subject)  # before the feed: an unknown person is a 404 on any service
    return page_out(engine.feed.page(person, limit))


@router.put("/personalization", response_model=ModeOut)
def set_mode(subject: SubjectPath, body: ModeIn, request: Request, caller: AppBackend) -> ModeOut:
    """On: consent in settings on the current notice. Off: a withdrawal. The next page obeys."""
    engine = engine_of(request, caller)
    person = known(engine, subject)
    event = engine.feed.set_mode(person, body.personalized)
    return ModeOut(
        personalized=body.personalized,
        changed=event is not None,
        consent_event_id=event.event_id if event is not None else None,
    )
