"""Everything a page does while the walker watches: requests, cookies, storage and permission asks, in order.

One `Recorder` per walk (per fresh browser context). Every event gets the next `seq` and the phase and
screen current when it happened, so the consent moment can split the timeline. Permission asks are
caught by an init script that wraps the browser APIs before any page script runs, tells the recorder
through a binding, and answers "denied": nothing real (location, camera, clipboard) is ever accessed.
With each ask the script sends what the screen says once it can be read (a script in the head asks before
the body exists; a real prompt stays up until answered, so the parsed page is what the person reads
beside it), and the recorder keeps only whether one sentence states the permission's purpose (AVIM 2.3).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Request

from consentgate.observe.keywords import permission_purpose
from consentgate.observe.model import (
    ObservedCookie,
    ObservedRequest,
    ObservedStorage,
    Party,
    PermissionRequest,
    Phase,
)
from consentgate.observe.parties import party, site_of
from consentgate.observe.persona import DEFAULT_PERSONA, Persona
from consentgate.observe.sent_data import find_sent, redact_url

BINDING = "__consentgatePermission"
COOKIE_WAIT = 1.0  # seconds to wait for the cookies a request carries before recording it without them

PERMISSION_SCRIPT = """
(() => {
  let asked = 0;
  const send = (...args) => { try { Promise.resolve(window.%(binding)s(...args)).catch(() => {}); } catch (e) {} };
  const tell = (name) => {
    const ask = `${performance.timeOrigin}-${++asked}`;
    send(name, ask, null);
    const read = () => send(name, ask, (document.body ? document.body.innerText : '').slice(0, 20000));
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', read, {once: true});
    else read();
  };
  const denied = () => { const e = new Error('User denied'); e.name = 'NotAllowedError'; return e; };
  const geo = navigator.geolocation;
  if (geo) {
    const err = {code: 1, message: 'User denied Geolocation', PERMISSION_DENIED: 1};
    geo.getCurrentPosition = function (ok, fail) { tell('geolocation'); if (fail) setTimeout(() => fail(err), 0); };
    geo.watchPosition = function (ok, fail) { tell('geolocation'); if (fail) setTimeout(() => fail(err), 0); return 0; };
  }
  if (window.Notification) {
    try { Object.defineProperty(Notification, 'permission', {get: () => 'denied'}); } catch (e) {}
    Notification.requestPermission = function (cb) {
      tell('notifications'); if (cb) setTimeout(() => cb('denied'), 0); return Promise.resolve('denied');
    };
  }
  if (navigator.mediaDevices) {
    navigator.mediaDevices.getUserMedia = function (c) {
      c = c || {};
      if (c.video) tell('camera');
      if (c.audio) tell('microphone');
      return Promise.reject(denied());
    };
  }
  if (navigator.clipboard) {
    navigator.clipboard.readText = function () { tell('clipboard-read'); return Promise.reject(denied()); };
    navigator.clipboard.read = function () { tell('clipboard-read'); return Promise.reject(denied()); };
  }
  if (navigator.permissions && navigator.permissions.query) {
    const names = {geolocation: 1, notifications: 1, camera: 1, microphone: 1, 'clipboard-read': 1};
    const query = navigator.permissions.query.bind(navigator.permissions);
    navigator.permissions.query = function (d) {
      const n = d && d.name;
      if (names[n]) { tell(n); return Promise.resolve({state: 'denied', name: n, onchange: null,
        addEventListener() {}, removeEventListener() {}}); }
      return query(d);
    };
  }
})();
""".replace("%(binding)s", BINDING)

_STORAGE_SCRIPT = """
() => {
  const out = [];
  for (const [kind, store] of [['local', window.localStorage], ['session', window.sessionStorage]]) {
    try { for (let i = 0; i < store.length; i++) out.push([kind, store.key(i)]); } catch (e) {}
  }
  return {origin: location.origin, keys: out};
}
"""


class Recorder:
    """The walk's timeline in the making; the walker sets `phase` and `screen` as the person moves on."""

    def __init__(self, first_party: str, persona: Persona = DEFAULT_PERSONA) -> None:
        self.first_party = first_party
        self.persona = persona
        self.phase = Phase.LOADED
        self.screen: str | None = None
        self._seq = 0
        self.requests: list[ObservedRequest] = []
        self.cookies: list[ObservedCookie] = []
        self.storage: list[ObservedStorage] = []
        self.permissions: list[PermissionRequest] = []
        self._seen_cookies: set[tuple[str, str, str]] = set()
        self._seen_storage: set[tuple[str, str, str]] = set()
        self._asks: dict[str, int] = {}  # the script's id of an ask -> its index in `permissions`
        self._in_flight: set[Request] = set()
        self._no_requests = asyncio.Event()
        self._no_requests.set()
        self._pending: set[asyncio.Task[None]] = set()
        self._context: BrowserContext | None = None

    def next_seq(self) -> int:
        """The next place in the walk's order; screens, requests and asks share one counter."""
        seq = self._seq
        self._seq += 1
        return seq

    async def attach(self, context: BrowserContext) -> None:
        """Listen on `context` before its first page opens, so the very first request is recorded."""
        self._context = context
        await context.expose_binding(BINDING, self._on_permission)
        await context.add_init_script(PERMISSION_SCRIPT)
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_done)

    def _on_done(self, request: Request) -> None:
        self._in_flight.discard(request)
        if not self._in_flight:
            self._no_requests.set()

    async def quiet(self, limit: float) -> None:
        """Until no request of the context is in flight, or `limit` seconds (a busy page is no error)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._no_requests.wait(), limit)

    def _on_permission(self, source: Any, name: object, ask: object = None, text: object = None) -> None:
        """An ask (`text` None), or what the screen said beside an ask already recorded."""
        index = self._asks.get(str(ask)) if ask is not None else None
        if index is not None and isinstance(text, str):
            recorded = self.permissions[index]
            sentence = permission_purpose(text, recorded.permission)
            self.permissions[index] = recorded.model_copy(
                update={"purpose_shown": sentence is not None, "purpose_text": sentence}
            )
            return
        self.permissions.append(
            PermissionRequest(seq=self.next_seq(), phase=self.phase, screen=self.screen, permission=str(name))
        )
        if ask is not None:
            self._asks[str(ask)] = len(self.permissions) - 1

    def _on_request(self, request: Request) -> None:
        if urlsplit(request.url).scheme not in ("http", "https"):
            return
        self._in_flight.add(request)
        self._no_requests.clear()
        task = asyncio.ensure_future(self._record(request, self.next_seq(), self.phase, self.screen))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _record(self, request: Request, seq: int, phase: Phase, screen: str | None) -> None:
        headers = dict(request.headers)
        # Chromium adds the Cookie header below what Playwright reports; the jar's cookies for the URL
        # are what it carries (read from the context: the request's own raw headers may never arrive).
        if self._context is not None and "cookie" not in headers:
            with contextlib.suppress(Exception):
                jar = await asyncio.wait_for(self._context.cookies(request.url), COOKIE_WAIT)
                if jar:
                    headers["cookie"] = "; ".join(f"{c.get('name', '')}={c.get('value', '')}" for c in jar)
        try:
            body = request.post_data
        except Exception:  # a binary body is no text to search
            body = None
        host = urlsplit(request.url).hostname or ""
        self.requests.append(
            ObservedRequest(
                seq=seq,
                phase=phase,
                screen=screen,
                method=request.method,
                url=redact_url(request.url),
                host=host,
                site=site_of(host),
                party=party(host, self.first_party),
                resource_type=request.resource_type,
                sent=find_sent(url=request.url, headers=headers, body=body, persona=self.persona),
            )
        )

    async def snapshot(self, context: BrowserContext, page: Page | None) -> None:
        """Record cookies and storage keys that appeared since the last snapshot, with the current phase."""
        with contextlib.suppress(Exception):
            for cookie in await context.cookies():
                key = (cookie.get("name", ""), cookie.get("domain", ""), cookie.get("path", "/"))
                if key in self._seen_cookies:
                    continue
                self._seen_cookies.add(key)
                domain = key[1].lstrip(".")
                self.cookies.append(
                    ObservedCookie(
                        seq=self.next_seq(),
                        phase=self.phase,
                        name=key[0],
                        domain=domain,
                        site=site_of(domain),
                        party=party(domain, self.first_party) if domain else Party.FIRST,
                        persistent=cookie.get("expires", -1) not in (-1, None),
                    )
                )
        if page is None or page.is_closed():
            return
        with contextlib.suppress(Exception):  # a page navigating away mid-read has no storage to show
            found = await page.evaluate(_STORAGE_SCRIPT)
            for kind, name in found["keys"]:
                key = (found["origin"], kind, name)
                if key not in self._seen_storage:
                    self._seen_storage.add(key)
                    self.storage.append(
                        ObservedStorage(
                            seq=self.next_seq(), phase=self.phase, kind=kind, key=name, origin=key[0]
                        )
                    )

    async def settle(self) -> None:
        """Finish recording requests already seen (each bounded by COOKIE_WAIT)."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def sorted(self) -> Iterator[list[Any]]:
        """Requests, cookies, storage and permissions, each in `seq` order."""
        for events in (self.requests, self.cookies, self.storage, self.permissions):
            yield sorted(events, key=lambda e: e.seq)
