"""What a web session holds: the language, the form token, and who is signed in.

The session lives on the server (`server_sessions`, table `web_sessions`); the cookie is a random
token and names nobody. It names a person by tenant and the app's account id and an operator by tenant
and key id — never a key. Signing in or out moves the session to a new token, so a copy of the old
cookie signs nobody in; "sign out everywhere" deletes every session of the person, on every device.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request

from consentgate.runtime.sessions import WebSessions
from consentgate.service.web.server_sessions import ServerSession
from consentgate.text import LANGS, Lang

_PERSON = "person"
_OPERATOR = "operator"
_LANG = "lang"
_CSRF = "csrf"


@dataclass(frozen=True)
class SignedInPerson:
    tenant: str
    subject: str


@dataclass(frozen=True)
class SignedInOperator:
    tenant: str
    key_id: str
    scopes: tuple[str, ...]


def person(request: Request) -> SignedInPerson | None:
    held = request.session.get(_PERSON)
    if not isinstance(held, dict):
        return None
    return SignedInPerson(tenant=str(held["tenant"]), subject=str(held["subject"]))


def operator(request: Request) -> SignedInOperator | None:
    held = request.session.get(_OPERATOR)
    if not isinstance(held, dict):
        return None
    return SignedInOperator(
        tenant=str(held["tenant"]), key_id=str(held["key_id"]), scopes=tuple(held.get("scopes", ()))
    )


def sign_in_person(request: Request, tenant: str, subject: str) -> None:
    _renew(request)
    rotate(request)
    request.session[_PERSON] = {"tenant": tenant, "subject": subject}


def sign_in_operator(request: Request, tenant: str, key_id: str, scopes: tuple[str, ...]) -> None:
    _renew(request)
    rotate(request)
    request.session[_OPERATOR] = {"tenant": tenant, "key_id": key_id, "scopes": list(scopes)}


def sign_out_person(request: Request) -> None:
    if request.session.pop(_PERSON, None) is not None:
        _renew(request)


def sign_out_operator(request: Request) -> None:
    if request.session.pop(_OPERATOR, None) is not None:
        _renew(request)


def end_every_session(request: Request, tenant: str, subject: str) -> int:
    """Ends every stored session of the person, this one's row included (the page then signs this one
    out with `sign_out_person`, which moves what else it holds to a new token); how many there were."""
    sessions: WebSessions = request.app.state.sessions
    return sessions.end_everywhere(tenant, subject)


def _renew(request: Request) -> None:
    """The session moves to a new token when this response is sent; the old token's row is deleted."""
    held = request.session
    if isinstance(held, ServerSession):
        held.renew()


def rotate(request: Request) -> None:
    """A new form token at every sign-in, so a token seen before it is worth nothing after."""
    request.session[_CSRF] = secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


def chosen_language(request: Request) -> Lang | None:
    lang = request.session.get(_LANG)
    return lang if lang in LANGS else None


def choose_language(request: Request, lang: Lang) -> None:
    request.session[_LANG] = lang


def flash(request: Request, key: str) -> None:
    """One line for the next page (an i18n key): what a form just did, shown once after the redirect."""
    request.session["flash"] = key


def take_flash(request: Request) -> str | None:
    key = request.session.pop("flash", None)
    return key if isinstance(key, str) else None
