"""Server-side web sessions, through the real pages on SQLite and PostgreSQL: signing out ends every copy
of the cookie, "sign out everywhere" ends every device, sessions expire by the clock port, and the cookie
is an opaque token that names nobody."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from consentgate.runtime.ports import FakeClock
from consentgate.runtime.sessions import ABSOLUTE_LIFETIME, IDLE_TIMEOUT, WebSessions
from consentgate.runtime.sessions.models import WebSessionRow
from consentgate.runtime.sessions.service import token_hash
from tests.web.conftest import SESSION_COOKIE, TENANT, Site, session_of

PRIVACY = "/me/privacy"


def _browser(site: Site, cookie: str | None = None) -> TestClient:
    """Another browser on the same site, optionally holding a copy of someone's cookie."""
    other = TestClient(site.client.app, base_url="http://127.0.0.1:8000")
    if cookie is not None:
        other.cookies.set(SESSION_COOKIE, cookie)
    return other


def _signed_in(client: TestClient) -> bool:
    return client.get(PRIVACY, follow_redirects=False).status_code == 200


def _fake_clock(site: Site) -> FakeClock:
    """The sessions' clock becomes one the test moves (nothing sleeps)."""
    clock = FakeClock(datetime.now(UTC))
    site.client.app.state.sessions = WebSessions(site.engine.database, clock=clock)  # type: ignore[attr-defined]
    return clock


def _rows(site: Site, subject: str) -> int:
    with site.engine.database.reading() as session:
        query = select(func.count()).where(
            WebSessionRow.tenant_id == TENANT, WebSessionRow.subject == subject
        )
        return session.scalar(query) or 0


def test_signing_out_makes_a_copied_cookie_worthless(site: Site) -> None:
    site.sign_in("li-lei")
    copied = site.client.cookies[SESSION_COOKIE]
    thief = _browser(site, copied)
    assert _signed_in(thief)  # the copy works while the session lives: it is the session
    assert site.post("/me/sign-out", page=PRIVACY).status_code == 303
    assert not _signed_in(thief)
    assert thief.get(PRIVACY).status_code == 401
    assert not _signed_in(site.client)
    assert _rows(site, "li-lei") == 0


def test_signing_in_moves_the_session_to_a_new_token(site: Site) -> None:
    """A token planted before sign-in (session fixation) is not the signed-in session."""
    site.client.get("/lang/en")
    before = site.client.cookies[SESSION_COOKIE]
    site.sign_in("li-lei")
    after = site.client.cookies[SESSION_COOKIE]
    assert after != before
    assert not _signed_in(_browser(site, before))
    assert session_of(site.client)["lang"] == "en"  # what the session held comes along


def test_sign_out_everywhere_ends_every_session_of_the_person_and_no_one_elses(site: Site) -> None:
    site.sign_in("li-lei")
    phone = _browser(site)
    laptop = _browser(site)
    for device in (phone, laptop):
        device.post("/v1/subjects", json={"subject": "li-lei"}, headers=site.auth())
        link = device.post("/v1/subjects/li-lei/web-link", json={}, headers=site.auth()).json()["url"]
        device.get(link.removeprefix("http://127.0.0.1:8000"))
        assert _signed_in(device)
    copied = _browser(site, phone.cookies[SESSION_COOKIE])
    someone_else = _browser(site)
    someone_else.post("/v1/subjects", json={"subject": "han-mei"}, headers=site.auth())
    link = someone_else.post("/v1/subjects/han-mei/web-link", json={}, headers=site.auth()).json()["url"]
    someone_else.get(link.removeprefix("http://127.0.0.1:8000"))
    assert _rows(site, "li-lei") == 3

    page = site.client.get(PRIVACY)
    assert 'action="/me/sign-out-everywhere"' in page.text
    done = site.post("/me/sign-out-everywhere", page=PRIVACY)
    assert done.status_code == 303
    assert (
        "signed out everywhere"
        in site.client.get(done.headers["location"], headers={"Accept-Language": "en"}).text
    )

    for device in (site.client, phone, laptop, copied):
        assert not _signed_in(device)
    assert _rows(site, "li-lei") == 0
    assert _signed_in(someone_else)


def test_the_app_backend_signs_a_person_out_everywhere_over_the_api(site: Site) -> None:
    site.sign_in("li-lei")
    answer = site.client.delete("/v1/subjects/li-lei/web-sessions", headers=site.auth())
    assert answer.status_code == 200 and answer.json() == {"ended": 1}
    assert not _signed_in(site.client)
    again = site.client.delete("/v1/subjects/li-lei/web-sessions", headers=site.auth())
    assert again.json() == {"ended": 0}
    unknown = site.client.delete("/v1/subjects/nobody/web-sessions", headers=site.auth())
    assert unknown.status_code == 404


def test_a_session_ends_after_the_idle_timeout(site: Site) -> None:
    clock = _fake_clock(site)
    site.sign_in("li-lei")
    clock.advance(seconds=IDLE_TIMEOUT.total_seconds() - 60)
    assert _signed_in(site.client)  # a page view restarts the idle timeout
    clock.advance(seconds=IDLE_TIMEOUT.total_seconds() - 60)
    assert _signed_in(site.client)
    clock.advance(seconds=IDLE_TIMEOUT.total_seconds())
    assert not _signed_in(site.client)
    assert _rows(site, "li-lei") == 0  # found expired: deleted


def test_a_session_ends_at_its_absolute_lifetime_however_busy(site: Site) -> None:
    clock = _fake_clock(site)
    site.sign_in("li-lei")
    step = IDLE_TIMEOUT.total_seconds() / 2
    for _ in range(int(ABSOLUTE_LIFETIME.total_seconds() // step) - 1):
        clock.advance(seconds=step)
        assert _signed_in(site.client)
    clock.advance(seconds=step)
    assert not _signed_in(site.client)


def test_the_cookie_is_an_opaque_token_that_names_nobody(site: Site) -> None:
    site.sign_in("li-lei")
    site.client.get("/lang/en")
    cookie = site.client.cookies[SESSION_COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cookie)  # secrets.token_urlsafe(32), nothing else
    try:
        decoded = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
    except binascii.Error:
        decoded = b""
    for name in (TENANT, "li-lei", "person", "subject", "tenant", "en"):
        assert name.encode() not in decoded and name not in cookie
    with site.engine.database.reading() as session:  # the table keeps the token's hash, not the token
        stored = session.scalars(select(WebSessionRow.token_hash)).all()
    assert token_hash(cookie) in stored and cookie not in stored


def test_the_operator_console_signs_out_every_copy_too(site: Site) -> None:
    site.sign_in_operator()
    copied = _browser(site, site.client.cookies[SESSION_COOKIE])
    assert copied.get("/console", follow_redirects=False).status_code == 200
    site.post("/console/logout", page="/console")
    assert copied.get("/console", follow_redirects=False).status_code == 303  # to the sign-in page


def test_a_made_up_or_malformed_cookie_is_no_session(site: Site) -> None:
    for cookie in ("x" * 43, "not a token", "a" * 5000):
        stranger = _browser(site, cookie)
        answer = stranger.get(PRIVACY, follow_redirects=False)
        assert answer.status_code == 401


def test_erasing_the_person_leaves_no_session_of_theirs_on_any_device(site: Site) -> None:
    site.sign_in("li-lei")
    other = _browser(site)
    link = other.post("/v1/subjects/li-lei/web-link", json={}, headers=site.auth()).json()["url"]
    other.get(link.removeprefix("http://127.0.0.1:8000"))
    assert _rows(site, "li-lei") == 2
    erased = site.post("/me/privacy/delete", {"kind": "delete", "confirm": "yes"}, page=PRIVACY)
    assert erased.status_code == 303
    assert _rows(site, "li-lei") == 0
    assert site.client.get(erased.headers["location"]).status_code == 200  # the receipt still shows
    assert not _signed_in(other)
