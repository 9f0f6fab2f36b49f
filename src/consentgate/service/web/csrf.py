"""Forms are accepted only with the session's token and only from this site (OWASP synchronizer token).

SameSite=Lax already keeps the cookie off most cross-site POSTs; the token is the second lock, and
`Sec-Fetch-Site: cross-site` (sent by every current browser) is refused outright.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from consentgate.service.problems import HttpProblem
from consentgate.service.web.session import csrf_token

FIELD = "csrf_token"
HEADER = "x-csrf-token"


class CsrfRejected(HttpProblem):
    code = "service.csrf_rejected"
    status = 403


async def checked_form(request: Request) -> FormData:
    """The posted form, once its token matches the session's; a 403 otherwise (nothing is changed)."""
    form = await request.form()
    sent = form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = request.session.get("csrf")
    cross_site = request.headers.get("sec-fetch-site") == "cross-site"
    if cross_site or not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRejected.from_key("service.csrf_rejected")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected.from_key("service.csrf_rejected")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]

__all__ = ["FIELD", "CheckedForm", "CsrfRejected", "checked_form", "csrf_token"]
