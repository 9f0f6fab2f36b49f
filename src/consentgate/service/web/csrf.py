"""Forms are accepted only from this site and only with the session's token (OWASP's two CSRF locks).

The first lock is the origin. A browser names the site a form was sent from in `Origin`; a form is
refused when that is another site's. Our own pages send `Referrer-Policy: no-referrer` (links carry
tokens), and under that policy browsers send `Origin: null` even for a same-origin form, so `null`
says nothing and counts as absent. Without a usable `Origin`, `Sec-Fetch-Site` decides: only
`same-origin` and `none` (typed in the address bar) pass; `cross-site` and `same-site` (a sibling
subdomain) are refused. A client sending neither is no current browser: the token alone decides.
This site is the origin of the request's own scheme and `Host`, or of `CONSENTGATE_PUBLIC_URL` —
behind a proxy that ends https and forwards plain http, the browser's origin is the public URL's.

The second lock is the synchronizer token: a form carries the session's token, and SameSite=Lax
already keeps the cookie off most cross-site POSTs.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

from consentgate.service.problems import HttpProblem
from consentgate.service.web.session import csrf_token

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SAME_SITE_FETCH = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class CsrfRejected(HttpProblem):
    code = "service.csrf_rejected"
    status = 403


class CrossSiteRejected(CsrfRejected):
    """A form sent from another site's page: nothing is changed, and the page says so plainly."""

    code = "service.cross_site_rejected"


async def checked_form(request: Request) -> FormData:
    """The posted form, once it came from this site with the session's token; a 403 otherwise."""
    if not from_this_site(request):
        raise CrossSiteRejected.from_key("service.cross_site_rejected")
    form = await request.form()
    sent = form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRejected.from_key("service.csrf_rejected")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected.from_key("service.csrf_rejected")
    return form


def from_this_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is not None and origin.strip() != "null":
        return _origin(origin) in allowed_origins(request)
    fetch_site = request.headers.get("sec-fetch-site")
    return fetch_site is None or fetch_site in _SAME_SITE_FETCH


def allowed_origins(request: Request) -> frozenset[tuple[str, str, int]]:
    """The request's own scheme and host, and the configured public URL's."""
    own = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}")
    settings = getattr(request.app.state, "settings", None)  # absent in an app built without the service
    public = _origin(settings.public_url) if settings is not None else None
    return frozenset(o for o in (own, public) if o is not None)


def _origin(text: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in; None for `null` or anything unparsable."""
    try:
        parts = urlsplit(text.strip())
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


CheckedForm = Annotated[FormData, Depends(checked_form)]

__all__ = ["FIELD", "CheckedForm", "CrossSiteRejected", "CsrfRejected", "checked_form", "csrf_token"]
