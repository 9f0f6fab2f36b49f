"""Errors as RFC 9457 problem details (`application/problem+json`), with the error code and zh/en text.

The same typed errors the library raises and the CLI prints; only the HTTP status is added here,
chosen by what the error means for the caller: something that does not exist (404), a request the
current state does not allow (409), input that names nothing known (422), no or a bad key (401), a
key without the scope (403), a database that cannot be reached (503). Anything else is a 400.

Input outside the contract (`input_contract.py`) is a 422 naming the field; a value that passed it and
that the database still refuses as invalid (a driver's data error) is a 422 too, and logged: that is a
gap in the contract to close, not the caller's server error.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentgate.errors import ConsentgateError
from consentgate.i18n import message
from consentgate.runtime.errors import (
    DatabaseUnavailable,
    TenantMismatch,
    UnknownConsentEvent,
    UnknownDataItem,
    UnknownNotice,
    UnknownPurpose,
    UnknownRecipient,
    UnknownSubject,
)
from consentgate.runtime.feed.errors import FeedMisconfigured, InvalidLimit, NoNoticeForPurpose
from consentgate.runtime.messaging import errors as messaging
from consentgate.runtime.onboarding.errors import RequiredFieldMissing, UnknownScreen
from consentgate.runtime.push import errors as push
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
from consentgate.runtime.sharing.errors import (
    DeliveryFailed,
    NothingRequested,
    NotRedeliverable,
    UnknownNotification,
    UnknownTransfer,
)
from consentgate.service.input_contract import CONTROL_CHARACTER, NON_FINITE, TOO_LONG
from consentgate.text import Lang, Text

logger = logging.getLogger(__name__)

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
    # onboarding, profiles, feed, push, marketing, sharing
    (UnknownScreen, 404),
    (RequiredFieldMissing, 422),
    (UnknownNotice, 409),  # no notice published for the screen: no consent can rest on one
    (UnknownConsentEvent, 422),
    (TenantMismatch, 404),
    (FeedMisconfigured, 404),  # this service has no content catalog: there is no feed here
    (NoNoticeForPurpose, 409),
    (InvalidLimit, 422),
    (push.UnknownCampaign, 404),
    (push.CampaignConflict, 409),
    (push.InvalidCampaign, 422),
    (messaging.UnknownCampaign, 404),
    (messaging.CampaignConflict, 409),
    (messaging.UnknownChannel, 422),
    (messaging.InvalidAddress, 422),
    (messaging.UnknownUnsubscribeToken, 404),
    (UnknownTransfer, 404),
    (UnknownNotification, 404),
    (NotRedeliverable, 409),
    (NothingRequested, 422),
    (DeliveryFailed, 502),  # the recipient failed every attempt; the transfer is kept as failed
    (DatabaseUnavailable, 503),
)


class ProblemOut(BaseModel):
    """RFC 9457 problem details, as every error of this API is answered."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    message: dict[str, str]
    instance: str


_PROBLEM = {"model": ProblemOut, "content": {MEDIA_TYPE: {}}}
# Documented on every operation, so that clients (and schemathesis) know each answer's shape.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {**_PROBLEM, "description": description}
    for status, description in (
        (400, "A typed error"),
        (401, "No API key, or a bad or revoked one"),
        (403, "The key lacks the scope"),
        (404, "No such subject or request in the caller's tenant"),
        (409, "The current state does not allow it"),
        (429, "Too many requests from this address (public endpoints)"),
        (422, "Invalid input, or input naming nothing known"),
        (503, "The database cannot be reached"),
    )
}


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
    if status == 429:
        headers["Retry-After"] = "60"
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def consentgate_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConsentgateError)
    text = error.text
    if isinstance(error, TenantMismatch):
        # The library names both tenants; a caller must not learn another tenant's name, or that a
        # record exists there: to them it is simply not found.
        text = message("service.not_in_tenant")
    return problem(request, status=status_of(error), code=error.code, text=text)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = error.errors()
    texts = [_explained(e) for e in found]
    problems = Text(zh="；".join(t.zh for t in texts), en="; ".join(t.en for t in texts))
    return problem(
        request,
        status=422,
        code="service.invalid_request",
        text=message("service.invalid_request", problems=problems),
        errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in found],
    )


def _explained(error: Any) -> Text:
    """One validation error in both languages, naming its field; the contract's own refusals in words."""
    field = ".".join(str(part) for part in error.get("loc", ()))
    kind = error.get("type")
    if kind == CONTROL_CHARACTER:
        return message(
            "service.input.control_character", field=field, code=error.get("ctx", {}).get("code", "?")
        )
    if kind == NON_FINITE:
        return message("service.input.finite_number", field=field)
    if kind == TOO_LONG:
        return message(
            "service.input.too_long", field=field, limit=error.get("ctx", {}).get("max_length", "?")
        )
    return message("service.input.other", field=field, problem=error.get("msg", ""))


async def database_data_error(request: Request, error: Exception) -> JSONResponse:
    """The safety net: a value the database refuses as invalid (a NUL byte, a number out of range) is
    the caller's input, answered 422 like the contract's refusals; the transaction has rolled back."""
    assert isinstance(error, DataError)
    logger.warning(
        "the database refused input the contract let through (%s %s): %s",
        request.method,
        request.url.path,
        type(error.orig).__name__,
    )
    return problem(
        request,
        status=422,
        code="service.invalid_input",
        text=message("service.input.refused_by_database"),
    )


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own errors (no such path, method not allowed) as problems too, with a true `Allow`."""
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    response = problem(
        request,
        status=status,
        code=f"service.http_{status}",
        text=message("service.http_error", status=status, reason=str(error.detail)),
    )
    if status == 405:
        response.headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    return response


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.fullmatch(request.url.path):
            methods |= route.methods or set()
    return methods
