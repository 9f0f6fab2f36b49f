"""Onboarding over HTTP: the screen to show next, and a person's answers, skips and second thoughts.

The screen says per field whether it is required (only necessary data is), what it is for and whether
it can be skipped; consent boxes come unticked, always (PIPL 14: consent is an act, not a default).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentgate.manifest.models import ScreenAction
from consentgate.runtime.onboarding.schemas import ScreenView
from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.routers._params import IdPath, SubjectPath, known
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1/subjects/{subject}/onboarding", tags=["onboarding"])

Short = Annotated[str, Field(max_length=200)]
# What a person can type or tick: a value, a choice of several, or a consent box's true/false.
Answer = (
    Annotated[str, Field(max_length=2000)] | bool | int | float | Annotated[list[Short], Field(max_length=50)]
)


class AnswersIn(BaseModel):
    model_config = ConfigDict(strict=True)

    values: dict[Short, Answer | None] = Field(default_factory=dict, max_length=100)
    locale: Literal["zh", "en"] = "zh"


class NoticeOut(BaseModel):
    notice_id: str
    version: str


class FieldOut(BaseModel):
    data_id: str
    label: Bilingual
    required: bool
    purposes: list[str]
    skippable: bool
    actions: list[ScreenAction]


class ConsentBoxOut(BaseModel):
    box_id: str
    purposes: list[str]
    recipients: list[str]
    pre_ticked: Literal[False]


class ScreenOut(BaseModel):
    screen_id: str | None
    is_home: bool
    title: Bilingual | None
    notice: NoticeOut | None
    fields: list[FieldOut]
    consent_boxes: list[ConsentBoxOut]
    actions: list[ScreenAction]
    blocks_home: bool


def screen_out(view: ScreenView) -> ScreenOut:
    return ScreenOut(
        screen_id=view.screen_id,
        is_home=view.is_home,
        title=Bilingual.of(view.title) if view.title else None,
        notice=NoticeOut(notice_id=view.notice.notice_id, version=view.notice.version)
        if view.notice
        else None,
        fields=[
            FieldOut(
                data_id=f.data_id,
                label=Bilingual.of(f.label),
                required=f.required,
                purposes=list(f.purposes),
                skippable=ScreenAction.SKIP in f.actions,
                actions=list(f.actions),
            )
            for f in view.fields
        ],
        # Built here, not copied: whatever the view says, the API never offers a ticked box.
        consent_boxes=[
            ConsentBoxOut(
                box_id=b.box_id, purposes=list(b.purposes), recipients=list(b.recipients), pre_ticked=False
            )
            for b in view.consent_boxes
        ],
        actions=list(view.actions),
        blocks_home=view.blocks_home,
    )


@router.get("", response_model=ScreenOut)
def next_screen(subject: SubjectPath, request: Request, caller: AppBackend) -> ScreenOut:
    """The first screen with an open question; `is_home` once nothing is left to ask."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.next_screen(known(engine, subject)))


@router.post("/screens/{screen_id}", response_model=ScreenOut)
def submit(
    subject: SubjectPath, screen_id: IdPath, body: AnswersIn, request: Request, caller: AppBackend
) -> ScreenOut:
    """Answers one screen: an answered optional field gives consent for its purposes, an empty one refuses."""
    engine = engine_of(request, caller)
    view = engine.onboarding.submit(known(engine, subject), screen_id, body.values, locale=body.locale)
    return screen_out(view)


@router.post("/screens/{screen_id}/skip", response_model=ScreenOut)
def skip(subject: SubjectPath, screen_id: IdPath, request: Request, caller: AppBackend) -> ScreenOut:
    """Refuses the screen's open optional questions; they are not asked again unless reopened."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.skip(known(engine, subject), screen_id))


@router.post("/questions/{data_id}/reopen", response_model=ScreenOut)
def reopen(subject: SubjectPath, data_id: IdPath, request: Request, caller: AppBackend) -> ScreenOut:
    """From settings: ask a refused question again (the refusal stands until the person answers)."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.reopen(known(engine, subject), data_id))
