"""Errors as RFC 9457 problem details (`application/problem+json`), with the error code and zh/en text.

The same typed errors the library raises and the CLI prints; only the HTTP status is added here,
chosen by what the error means for the caller: something that does not exist (404), a request the
current state does not allow (409), input that names nothing known (422), no or a bad key (401), a
key without the scope (403), a database that cannot be reached (503). Anything else is a 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from consentgate.errors import ConsentgateError
from consentgate.i18n import message
from consentgate.runtime.errors import (
    DatabaseUnavailable,
    UnknownDataItem,
    UnknownPurpose,
    UnknownRecipient,
    UnknownSubject,
)
from consentgate.runtime.rights.errors import (
    BadRightsDetails,
    IllegalRightsTransition,
    NoCertificate,
    NoExport,
    RefusalNotApplicable,
    UnknownRefusalReason,
    UnknownRightsKind,
    UnknownRightsRequest,
)
from consentgate.text import Lang, Text

MEDIA_TYPE = "application/problem+json"

_STATUS: tuple[tuple[type[ConsentgateError], int], ...] = (
    (UnknownSubject, 404),
    (UnknownRightsRequest, 404),
    (NoExport, 404),
    (NoCertificate, 404),
    (IllegalRightsTransition, 409),
    (UnknownPurpose, 422),
    (UnknownDataItem, 422),
    (UnknownRecipient, 422),
    (UnknownRightsKind, 422),
    (BadRightsDetails, 422),
    (UnknownRefusalReason, 422),
    (RefusalNotApplicable, 409),
    (DatabaseUnavailable, 503),
)


class HttpProblem(ConsentgateError):
    """A typed error that carries its own status (authentication, authorization, rate limits)."""

    status = 400


def status_of(error: ConsentgateError) -> int:
    if isinstance(error, HttpProblem):
        return error.status
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def language(request: Request) -> Lang:
    """zh unless the caller prefers English: the product's first users read Chinese."""
    accepted = request.headers.get("accept-language", "").lower()
    zh, en = accepted.find("zh"), accepted.find("en")
    return "en" if en != -1 and (zh == -1 or en < zh) else "zh"


def problem(request: Request, *, status: int, code: str, text: Text, **extra: Any) -> JSONResponse:
    lang = language(request)
    body = {
        "type": f"urn:consentgate:problem:{code}",
        "title": code,
        "status": status,
        "detail": text.in_(lang),
        "code": code,
        "message": {"zh": text.zh, "en": text.en},
        "instance": request.url.path,
        **extra,
    }
    headers: dict[str, str] = {"Content-Language": lang}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def consentgate_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConsentgateError)
    return problem(request, status=status_of(error), code=error.code, text=error.text)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    where = "; ".join(
        f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}" for e in error.errors()
    )
    return problem(
        request,
        status=422,
        code="service.invalid_request",
        text=message("service.invalid_request", problems=where),
        errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in error.errors()],
    )
