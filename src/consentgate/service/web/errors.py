"""The service's errors on a page: the same problem (code, zh/en text, status) as HTML, not JSON.

The API's handlers decide status and text; for a request to a page, their answer is rendered in the
page layout instead. An operator whose session ended is sent to the console's sign-in; a person is told
to open the privacy pages from their app again.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from consentgate.i18n import message
from consentgate.service.web.access import OperatorNotSignedIn
from consentgate.service.web.render import lang_of, page, see_other

PAGE_PREFIXES = ("/me", "/console", "/demo", "/web", "/lang")
KEPT_HEADERS = ("retry-after", "allow")
# A refused form is a person's page: its plain sentence, no code (the API answer still carries one).
UNCODED = frozenset({"service.csrf_rejected", "service.cross_site_rejected"})
Handler = Callable[[Request, Exception], Awaitable[Response]]


def is_page(request: Request) -> bool:
    path = request.url.path
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


def as_page(handler: Handler) -> Handler:
    """`handler`'s problem, rendered as a page when a page was asked for."""

    async def handle(request: Request, error: Exception) -> Response:
        if is_page(request) and isinstance(error, OperatorNotSignedIn):
            # Back to the page after signing in, but only to a page: a form's target answers POST only.
            back = "?next=" + quote(request.url.path, safe="") if request.method == "GET" else ""
            return see_other("/console/login" + back)
        response = await handler(request, error)
        if not is_page(request):
            return response
        problem = json.loads(bytes(response.body))
        lang = lang_of(request)
        rendered = page(
            request,
            "web/error.html.j2",
            status=response.status_code,
            title=message("web.error_title", status=response.status_code).in_(lang),
            detail=problem["message"][lang],
            code=None if problem["code"] in UNCODED else problem["code"],
            sign_in_hint=problem["code"] == "service.not_signed_in",
            demo=request.app.state.settings.demo_tenant is not None,
        )
        for kept in KEPT_HEADERS:  # when to try again, what the path allows: as true for a page
            if kept in response.headers:
                rendered.headers[kept] = response.headers[kept]
        return rendered

    return handle
