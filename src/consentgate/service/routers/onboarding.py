"""Onboarding over HTTP: the screen to show next, and a person's answers, skips and second thoughts.

The screen says per field whether it is required (only necessary data is), what it is for, whether it
can be skipped and which box must be ticked for an answer to be kept; consent boxes come unticked,
always, one per purpose and recipient (PIPL 14: consent is an act, not a default; PIPL 23).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from consentgate.manifest.models import Manifest, ScreenAction
from consentgate.runtime.notice_text import summary
from consentgate.runtime.onboarding.schemas import NoticeRef, ScreenView
from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.input_contract import ContractModel, LongText, ShortText
from consentgate.service.routers._params import IdPath, SubjectPath, known
from consentgate.service.routers.schemas import Bilingual

router = APIRouter(prefix="/v1/subjects/{subject}/onboarding", tags=["onboarding"])

Short = ShortText
# What a person can type or tick: a value, a choice of several, or a consent box's true/false.
Answer = LongText | bool | int | float | Annotated[list[Short], Field(max_length=50)]


class AnswersIn(ContractModel):
    model_config = ConfigDict(strict=True)

    values: dict[Short, Answer | None] = Field(default_factory=dict, max_length=100)
    locale: Literal["zh", "en"] = "zh"


class NoticeOut(BaseModel):
    notice_id: str
    version: str
    summary: list[Bilingual] = Field(description="The notice's first layer: a few short lines to show first")


class FieldOut(BaseModel):
    data_id: str
    label: Bilingual
    required: bool
    purposes: list[str]
    skippable: bool
    actions: list[ScreenAction]
    kept_only_with: list[str] = Field(
        description="Boxes one of which must be ticked for an answer to be kept; empty: kept as given"
    )


class ConsentBoxOut(BaseModel):
    """One box: one purpose, and one recipient where sharing needs separate consent."""

    box_id: str
    purpose: str
    recipient: str | None
    purposes: list[str] = Field(max_length=1)
    recipients: list[str] = Field(max_length=1)
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


def notice_out(manifest: Manifest, notice: NoticeRef | None) -> NoticeOut | None:
    if notice is None:
        return None
    declared = next((n for n in manifest.notices if n.id == notice.notice_id), None)
    lines = summary(manifest, declared).lines if declared is not None else ()
    return NoticeOut(
        notice_id=notice.notice_id, version=notice.version, summary=[Bilingual.of(line) for line in lines]
    )


def screen_out(view: ScreenView, manifest: Manifest) -> ScreenOut:
    return ScreenOut(
        screen_id=view.screen_id,
        is_home=view.is_home,
        title=Bilingual.of(view.title) if view.title else None,
        notice=notice_out(manifest, view.notice),
        fields=[
            FieldOut(
                data_id=f.data_id,
                label=Bilingual.of(f.label),
                required=f.required,
                purposes=list(f.purposes),
                skippable=ScreenAction.SKIP in f.actions,
                actions=list(f.actions),
                kept_only_with=list(f.kept_only_with),
            )
            for f in view.fields
        ],
        # Built here, not copied: whatever the view says, the API never offers a ticked box.
        consent_boxes=[
            ConsentBoxOut(
                box_id=b.box_id,
                purpose=b.purpose,
                recipient=b.recipient,
                purposes=[b.purpose],
                recipients=[b.recipient] if b.recipient else [],
                pre_ticked=False,
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
    return screen_out(engine.onboarding.next_screen(known(engine, subject)), engine.manifest)


@router.post("/screens/{screen_id}", response_model=ScreenOut)
def submit(
    subject: SubjectPath, screen_id: IdPath, body: AnswersIn, request: Request, caller: AppBackend
) -> ScreenOut:
    """Answers one screen. Only a box sent as `true` gives consent (for its one purpose and recipient);
    an answer to an optional field is kept only while a consent for its purpose is live, else dropped.
    A box shown and not sent as `true` is recorded as refused."""
    engine = engine_of(request, caller)
    view = engine.onboarding.submit(known(engine, subject), screen_id, body.values, locale=body.locale)
    return screen_out(view, engine.manifest)


@router.post("/screens/{screen_id}/skip", response_model=ScreenOut)
def skip(subject: SubjectPath, screen_id: IdPath, request: Request, caller: AppBackend) -> ScreenOut:
    """Refuses the screen's open optional questions; they are not asked again unless reopened."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.skip(known(engine, subject), screen_id), engine.manifest)


@router.post("/questions/{data_id}/reopen", response_model=ScreenOut)
def reopen(subject: SubjectPath, data_id: IdPath, request: Request, caller: AppBackend) -> ScreenOut:
    """From settings: ask a refused question again (the refusal stands until the person answers)."""
    engine = engine_of(request, caller)
    return screen_out(engine.onboarding.reopen(known(engine, subject), data_id), engine.manifest)
