"""Rights requests from the privacy center: a copy to download, a correction, a restriction (PIPL 44-46).

Each request is received, verified and carried out at once (`carry_out`), so the person sees it done
in the list with its deadline kept as proof of timeliness. A refusal by the library (a request of that
kind already open, a transition the lifecycle forbids, nothing to correct) is shown on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from consentgate.errors import ConsentgateError
from consentgate.i18n import message
from consentgate.runtime.engine import Engine
from consentgate.runtime.rights.errors import UnknownRightsRequest
from consentgate.runtime.rights.schemas import RequestStatus, RightsKind, RightsRequest
from consentgate.service.problems import HttpProblem, status_of
from consentgate.service.web import session
from consentgate.service.web.access import PersonContext, SignedInPerson
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.privacy_view import center, correctable
from consentgate.service.web.render import see_other

router = APIRouter(include_in_schema=False)

HERE = "/me/privacy"
LISTED = f"{HERE}#requests"
MAX_VALUE = 200
RequestId = Annotated[str, Path(min_length=1, max_length=64)]


class RequestStillOpen(HttpProblem):
    """An earlier request of the same kind, asking something else, is still open: it goes first."""

    code = "web.privacy_request_open"
    status = 409


def carry_out(
    engine: Engine, subject: str, kind: RightsKind, details: Mapping[str, Any] | None = None
) -> RightsRequest:
    """Receives the request, records the identity check and fulfils it; returns the request as closed."""
    rights = engine.rights
    asked = rights.request(subject, kind, details=details)
    if details is not None and dict(asked.details) != dict(details):
        raise RequestStillOpen.from_key("web.privacy_request_open", kind=message(f"rights.kind.{kind.value}"))
    if asked.status is RequestStatus.RECEIVED:
        # The person is signed in through their app: the app's backend asked for the sign-in link for
        # its own signed-in user, so the app has checked who they are — the check PIPL 50 asks first.
        asked = rights.verify_identity(asked.request_id)
    return rights.fulfil(asked.request_id)


@router.post(HERE + "/requests/copy")
def ask_copy(request: Request, who: SignedInPerson, _form: CheckedForm) -> Response:
    return _ask(request, who, RightsKind.COPY, "web.privacy_flash_copy")


@router.post(HERE + "/requests/correct")
def ask_correction(request: Request, who: SignedInPerson, form: CheckedForm) -> Response:
    data_id = str(form.get("data") or "")
    value = str(form.get("value") or "").strip()
    if data_id not in {c.data_id for c in correctable(who.engine, who.subject)}:
        return center(request, who, error=message("web.privacy_correct_unknown"), status=422)
    if not value or len(value) > MAX_VALUE:
        error = message("web.privacy_correct_bad_value", max=MAX_VALUE)
        return center(request, who, error=error, error_field=data_id, status=422)
    try:
        carry_out(who.engine, who.subject, RightsKind.CORRECT, {"data": data_id, "value": value})
    except ConsentgateError as refused:
        return center(request, who, error=refused.text, error_field=data_id, status=status_of(refused))
    session.flash(request, "web.privacy_flash_corrected")
    return see_other(LISTED)


@router.post(HERE + "/requests/restrict")
def ask_restriction(request: Request, who: SignedInPerson, _form: CheckedForm) -> Response:
    return _ask(request, who, RightsKind.RESTRICT, "web.privacy_flash_restricted")


def _ask(request: Request, who: PersonContext, kind: RightsKind, done: str) -> Response:
    """A request with nothing to fill in, carried out at once; a refusal is shown on the center."""
    try:
        carry_out(who.engine, who.subject, kind)
    except ConsentgateError as refused:
        return center(request, who, error=refused.text, status=status_of(refused))
    session.flash(request, done)
    return see_other(LISTED)


@router.post(HERE + "/requests/lift-restriction")
def lift_restriction(request: Request, who: SignedInPerson, _form: CheckedForm) -> Response:
    lifted = who.engine.rights.lift_restriction(who.subject)
    session.flash(request, "web.privacy_flash_lifted" if lifted else "web.privacy_flash_unchanged")
    return see_other(LISTED)


@router.get(HERE + "/requests/{request_id}/export")
def download_copy(request_id: RequestId, who: SignedInPerson) -> Response:
    """The person's own copy only: another person's request id is as unknown as a made-up one (404)."""
    asked = who.engine.rights.get(request_id)
    if asked.subject != who.subject:
        raise UnknownRightsRequest.from_key("runtime.unknown_rights_request", request=request_id)
    content = who.engine.rights.export(request_id)
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="my-data-{request_id}.zip"',
            "Cache-Control": "no-store",  # a person's data: never kept by a proxy or the browser cache
        },
    )
