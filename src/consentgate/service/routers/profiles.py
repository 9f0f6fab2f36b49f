"""The purpose-bound profile over HTTP: store what a person typed, read what one purpose may use now.

Reads are app-backend calls, not read-only ones: they hand out personal values. A value never
reaches a log line; the audit log keeps the attribute's id and purposes only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from consentgate.runtime.profiles.schemas import Attribute
from consentgate.service.auth import AppBackend, engine_of
from consentgate.service.input_contract import ContractModel, LongText, ShortText
from consentgate.service.routers._params import IdPath, SubjectPath, known

router = APIRouter(prefix="/v1/subjects/{subject}", tags=["profiles"])

Short = Annotated[ShortText, Field(min_length=1)]
Value = LongText | bool | int | float | Annotated[list[Short], Field(max_length=50)]


class AttributeIn(ContractModel):
    model_config = ConfigDict(strict=True)

    value: Value
    purposes: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(min_length=1, max_length=20)
    consent_event_id: str | None = Field(default=None, max_length=80)


class AttributeOut(BaseModel):
    attribute_id: str
    data_id: str
    value: Any
    source: str
    purposes: list[str]
    consent_event_id: str | None
    derived_from: list[str]
    created_at: datetime


class ReleasedOut(BaseModel):
    purpose: str
    values: dict[str, Any]


def attribute_out(attribute: Attribute) -> AttributeOut:
    return AttributeOut(
        attribute_id=attribute.attribute_id,
        data_id=attribute.data_id,
        value=attribute.value,
        source=attribute.source.value,
        purposes=list(attribute.purposes),
        consent_event_id=attribute.consent_event_id,
        derived_from=list(attribute.derived_from),
        created_at=attribute.created_at,
    )


@router.put("/attributes/{data_id}", response_model=AttributeOut)
def set_attribute(
    subject: SubjectPath, data_id: IdPath, body: AttributeIn, request: Request, caller: AppBackend
) -> AttributeOut:
    """Stores what the person typed for the purposes named, replacing an earlier value of the item.

    An item that needs consent for a purpose names the consent event it rests on; without one the
    value is kept but no read for that purpose releases it until the gate allows it."""
    engine = engine_of(request, caller)
    attribute = engine.profiles.set(
        known(engine, subject),
        data_id,
        body.value,
        purposes=body.purposes,
        consent_event_id=body.consent_event_id,
    )
    return attribute_out(attribute)


@router.get("/profile", response_model=ReleasedOut)
def read(
    subject: SubjectPath,
    request: Request,
    caller: AppBackend,
    purpose: Annotated[str, Query(min_length=1, max_length=80, description="The purpose that will use it")],
) -> ReleasedOut:
    """What `purpose` may use now: each value's gate decision is made at this call (a withdrawal hides it)."""
    engine = engine_of(request, caller)
    return ReleasedOut(purpose=purpose, values=engine.profiles.read(known(engine, subject), purpose))


@router.get("/attributes", response_model=list[AttributeOut])
def held(subject: SubjectPath, request: Request, caller: AppBackend) -> list[AttributeOut]:
    """Everything held about the person, whatever its purpose (what their copy and a deletion cover)."""
    engine = engine_of(request, caller)
    return [attribute_out(a) for a in engine.profiles.attributes(known(engine, subject))]
