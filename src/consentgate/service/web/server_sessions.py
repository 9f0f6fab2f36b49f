"""The session cookie as a bare random token; what the session holds stays on the server.

A drop-in for Starlette's `SessionMiddleware`: pages still read and write `request.session`, but the
dict is loaded from `web_sessions` by the cookie's token and saved back when the response starts. The
cookie (`consentgate_session`) is HttpOnly, SameSite=Lax, Secure whenever the service is configured
for https or the request itself came over https, and carries nothing but the token.

Signing in or out renews the token (`ServerSession.renew`): the old row is deleted and the data moves
to a new one, so a token seen before sign-in (session fixation) or copied before sign-out is worth
nothing after. A request that leaves the session empty deletes the row and the cookie. A session
ended elsewhere during the request (sign out everywhere) is not brought back by saving it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentgate.runtime.sessions import LoadedSession, WebSessions

logger = logging.getLogger(__name__)

COOKIE = "consentgate_session"
_NO_SESSION = "/static/"  # files that are the same for everyone: no database read per asset


class ServerSession(dict[str, Any]):
    """`request.session`: the session's data, plus the wish to move it to a fresh token."""

    renewed = False

    def renew(self) -> None:
        self.renewed = True


class ServerSessions:
    def __init__(self, app: ASGIApp, *, lifetime_seconds: int, https: bool = False) -> None:
        self.app = app
        self.lifetime_seconds = lifetime_seconds
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(_NO_SESSION):
            await self.app(scope, receive, send)
            return
        store: WebSessions = scope["app"].state.sessions
        presented = HTTPConnection(scope).cookies.get(COOKIE)
        loaded = await _load(store, presented)
        held = ServerSession(loaded.data if loaded is not None else {})
        before = _fingerprint(held)
        scope["session"] = held
        secure = self.https or scope.get("scheme") in ("https", "wss")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(_commit, store, loaded, held, before)
                if cookie is not None:
                    self._set_cookie(MutableHeaders(scope=message), cookie, secure=secure)
                elif loaded is not None and not held:
                    # Only the request that emptied its own session clears the cookie. One that merely
                    # presented a dead token leaves it: a page's parallel request still carrying the
                    # token from before a sign-in would otherwise erase the new cookie that replaced it.
                    self._set_cookie(MutableHeaders(scope=message), "", secure=secure, expire=True)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _set_cookie(self, headers: MutableHeaders, token: str, *, secure: bool, expire: bool = False) -> None:
        age = 0 if expire else self.lifetime_seconds
        flags = "; secure" if secure else ""
        headers.append(
            "Set-Cookie", f"{COOKIE}={token}; path=/; Max-Age={age}; httponly; samesite=lax{flags}"
        )


async def _load(store: WebSessions, token: str | None) -> LoadedSession | None:
    if not token:
        return None
    try:
        return await run_in_threadpool(store.load, token)
    except SQLAlchemyError as error:
        # The page itself will answer 503 if the database is down; the session just is not found.
        logger.warning("could not load a web session: %s", error.__class__.__name__)
        return None


def _commit(store: WebSessions, loaded: LoadedSession | None, held: ServerSession, before: str) -> str | None:
    """Saves what the request did to the session; the token to set when it is a new one, else None."""
    try:
        if loaded is not None and (held.renewed or not held):
            store.end(loaded.token)
        if not held:
            return None
        if loaded is not None and not held.renewed:
            if _fingerprint(held) != before:
                store.save(loaded.token, dict(held))
            elif loaded.touch_due:
                store.touch(loaded.token)
            return None  # the same token: nothing to tell the browser (or ended elsewhere: it stays ended)
        return store.create(dict(held))
    except SQLAlchemyError as error:
        logger.warning("could not save a web session: %s", error.__class__.__name__)
        return None


def _fingerprint(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)
