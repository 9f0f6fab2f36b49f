"""The console's rights requests: every open one, overdue first, and the steps an admin takes on them.

The list is the order to work in (`RightsService.queue`): a request past its 15-working-day deadline
(PIPL 50, AVIM 6.3) is on top with an "overdue" badge. Identity comes before any action, so a request
just received offers "verify identity" and a refusal; a verified one offers "fulfil". A refusal takes
only a reason the law allows for that kind of request (PIPL 50: the refusal states its reason).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from consentgate.errors import ConsentgateError
from consentgate.runtime.apikeys.policy import Operation
from consentgate.runtime.rights.deadlines import BEIJING, is_provisional
from consentgate.runtime.rights.errors import (
    IllegalRightsTransition,
    RefusalNotApplicable,
    UnknownRefusalReason,
    UnknownRightsRequest,
)
from consentgate.runtime.rights.schemas import REFUSAL_REASONS, RequestStatus, RightsRequest
from consentgate.service.problems import status_of
from consentgate.service.web import session
from consentgate.service.web.access import OperatorContext, SignedInOperator
from consentgate.service.web.console_common import console_page, title, today
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.render import see_other

router = APIRouter(include_in_schema=False)
PAGE = "/console/requests"
SHOWN = 500  # the queue shows this many; the page says when more are open
RequestId = Annotated[str, Path(min_length=1, max_length=64)]
# What an operator can get wrong by acting on a stale page (someone else already moved the request).
_EXPECTED = (IllegalRightsTransition, RefusalNotApplicable, UnknownRefusalReason, UnknownRightsRequest)


@dataclass(frozen=True)
class QueueRow:
    request: RightsRequest
    received: str  # Beijing time, minutes
    overdue: bool
    provisional: bool  # the deadline runs past the last published holiday schedule
    reasons: tuple[str, ...]  # refusal reasons the law allows for this request now
    can_verify: bool
    can_fulfil: bool


@router.get(PAGE)
def requests_page(request: Request, ctx: SignedInOperator) -> HTMLResponse:
    return _queue_page(request, ctx)


@router.post(PAGE + "/{request_id}/verify-identity", response_model=None)
def verify_identity(
    request_id: RequestId, request: Request, ctx: SignedInOperator, form: CheckedForm
) -> Response:
    step = Operation.VERIFY_IDENTITY
    return _act(
        request,
        ctx,
        step,
        lambda: ctx.engine.rights.verify_identity(request_id),
        "web.console_request_verified",
    )


@router.post(PAGE + "/{request_id}/fulfil", response_model=None)
def fulfil(request_id: RequestId, request: Request, ctx: SignedInOperator, form: CheckedForm) -> Response:
    step = Operation.FULFIL_REQUEST
    return _act(
        request, ctx, step, lambda: ctx.engine.rights.fulfil(request_id), "web.console_request_fulfilled"
    )


@router.post(PAGE + "/{request_id}/refuse", response_model=None)
def refuse(request_id: RequestId, request: Request, ctx: SignedInOperator, form: CheckedForm) -> Response:
    reason = form.get("reason")
    why = reason if isinstance(reason, str) else ""
    step = Operation.REFUSE_REQUEST
    return _act(
        request, ctx, step, lambda: ctx.engine.rights.refuse(request_id, why), "web.console_request_refused"
    )


def _act(
    request: Request, ctx: OperatorContext, operation: Operation, step: Callable[[], object], done: str
) -> Response:
    """One step on a request, for a key the policy table allows it: done → back to the queue with a note;
    refused → the queue and why."""
    ctx.require_to(operation)
    try:
        step()
    except _EXPECTED as error:
        return _queue_page(request, ctx, error=error)
    session.flash(request, done)
    return see_other(PAGE)


def _queue_page(
    request: Request, ctx: OperatorContext, *, error: ConsentgateError | None = None
) -> HTMLResponse:
    day = today(ctx.engine)
    rights = ctx.engine.rights
    rows = [_row(r, day) for r in rights.queue(day, limit=SHOWN)]
    return console_page(
        request,
        ctx,
        "web/console_requests.html.j2",
        status=status_of(error) if error is not None else 200,
        title=title(request, "web.console_requests_title"),
        rows=rows,
        today=day.isoformat(),
        open_count=rights.count_open() if len(rows) >= SHOWN else len(rows),
        error=error.text if error is not None else None,
    )


def _row(request: RightsRequest, day: date) -> QueueRow:
    return QueueRow(
        request=request,
        received=request.received_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        overdue=request.overdue_on(day),
        provisional=is_provisional(request.due_on),
        reasons=refusal_reasons(request),
        can_verify=request.status is RequestStatus.RECEIVED,
        can_fulfil=request.status in {RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS},
    )


def refusal_reasons(request: RightsRequest) -> tuple[str, ...]:
    """The reasons `RightsService.refuse` accepts for this request in its current state."""
    received = request.status is RequestStatus.RECEIVED
    return tuple(
        key
        for key, reason in REFUSAL_REASONS.items()
        if request.kind in reason.kinds and (received or not reason.only_before_verification)
    )
