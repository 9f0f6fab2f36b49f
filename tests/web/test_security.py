"""The pages' locks: server-side sessions behind HttpOnly SameSite cookies, form tokens, headers, sign-in links."""

from __future__ import annotations

import hashlib
import json
import re
import time
from importlib import resources
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from starlette.middleware.sessions import SessionMiddleware

from consentgate.errors import ConsentgateError
from consentgate.runtime.apikeys.schemas import Scope
from consentgate.service.app import create_app
from consentgate.service.problems import consentgate_error
from consentgate.service.settings import Settings
from consentgate.service.web.csrf import CheckedForm
from consentgate.service.web.links import LINK_TTL
from consentgate.service.web.session import csrf_token
from tests.runtime.conftest import SEED_FIXED
from tests.web.conftest import CSRF as CSRF_FIELD
from tests.web.conftest import Site

SERVICE = resources.files("consentgate.service")


def _cookie(response_header: str) -> dict[str, str]:
    """The attributes of a Set-Cookie header, lower-cased (flags map to '')."""
    parts = [p.strip() for p in response_header.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


def _session_of(client: TestClient) -> dict[str, object]:
    """What the session holds on the server, found by the cookie's token (the cookie holds nothing else)."""
    loaded = client.app.state.sessions.load(client.cookies["consentgate_session"])  # type: ignore[attr-defined]
    assert loaded is not None, "the cookie names no live session"
    held: dict[str, object] = loaded.data
    return held


def test_pages_and_the_api_carry_the_security_headers(site: Site) -> None:
    for path in ("/me/privacy", "/healthz", "/static/site.css"):
        headers = site.client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["x-frame-options"] == "DENY", path
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
    assert "strict-transport-security" not in site.client.get("/healthz").headers  # plain http here


def test_the_session_cookie_is_httponly_samesite_and_secure_behind_https(tmp_path: Path) -> None:
    for public_url, secure in (("http://127.0.0.1:8000", False), ("https://privacy.example.com", True)):
        app = create_app(
            Settings(
                manifest=SEED_FIXED, database_url=f"sqlite:///{tmp_path}/{secure}.db", public_url=public_url
            )
        )
        with TestClient(app) as client:
            response = client.get("/lang/en", follow_redirects=False)
            attributes = _cookie(response.headers["set-cookie"])
            assert "httponly" in attributes
            assert attributes["samesite"] == "lax"
            assert ("secure" in attributes) is secure
            assert ("strict-transport-security" in response.headers) is secure


def _form_app() -> FastAPI:
    app = FastAPI()

    @app.get("/token")
    def token(request: Request) -> dict[str, str]:
        return {"token": csrf_token(request)}

    @app.post("/change")
    def change(form: CheckedForm) -> dict[str, str]:
        return {"changed": str(form.get("value"))}

    app.add_middleware(SessionMiddleware, secret_key="test-secret", same_site="lax")
    app.add_exception_handler(ConsentgateError, consentgate_error)
    return app


def test_a_form_is_refused_without_the_sessions_token_or_from_another_site() -> None:
    with TestClient(_form_app()) as client:
        token = client.get("/token").json()["token"]
        assert client.post("/change", data={"value": "x"}).status_code == 403
        altered = token[:-1] + ("B" if token.endswith("A") else "A")  # never the token itself
        assert client.post("/change", data={"value": "x", "csrf_token": altered}).status_code == 403
        refused = client.post(
            "/change", data={"value": "x", "csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "service.cross_site_rejected"
        assert client.post("/change", data={"value": "x", "csrf_token": token}).json() == {"changed": "x"}
    with TestClient(_form_app()) as stranger:  # a token from someone else's session is worth nothing
        stranger.get("/token")
        assert stranger.post("/change", data={"value": "x", "csrf_token": token}).status_code == 403


def test_a_sign_in_link_opens_the_privacy_pages_for_that_person_only(site: Site) -> None:
    entered = site.sign_in("li-lei")
    assert entered.status_code == 200 and entered.url.path == "/me/privacy"
    assert _session_of(site.client)["person"] == {"tenant": "demo", "subject": "li-lei"}
    signed_out = TestClient(site.client.app, base_url="http://127.0.0.1:8000")
    assert signed_out.get("/me/privacy").status_code == 401


def test_a_forged_altered_or_expired_sign_in_link_signs_no_one_in(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.client.post("/v1/subjects", json={"subject": "li-lei"}, headers=site.auth()).raise_for_status()
    links = site.client.app.state.links  # type: ignore[attr-defined]
    good = links.token("demo", "li-lei", "/me/privacy")
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_tenant = links.token("tenant-b", "li-lei", "/me/privacy")  # a person tenant-b never registered
    real_time = time.time
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(real_time()) - LINK_TTL - 5)
    expired = links.token("demo", "li-lei", "/me/privacy")
    monkeypatch.undo()
    for token in (forged, expired, other_tenant):
        response = site.client.get(f"/web/enter?token={token}", follow_redirects=False)
        assert response.status_code == 401, token
        assert response.headers["content-type"].startswith("text/html")
        assert "person" not in _session_of(site.client)


def test_the_api_gives_links_only_for_the_keys_own_tenants_people(site: Site) -> None:
    site.client.post("/v1/subjects", json={"subject": "li-lei"}, headers=site.auth()).raise_for_status()
    stranger = site.client.app.state.keys.create("tenant-b", "b", [Scope.APP_BACKEND]).token  # type: ignore[attr-defined]
    response = site.client.post(
        "/v1/subjects/li-lei/web-link", json={}, headers={"Authorization": f"Bearer {stranger}"}
    )
    assert response.status_code == 404


def test_the_language_switch_never_redirects_off_site(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        response = site.client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"
    kept = site.client.get("/lang/en", params={"next": "/me/privacy?x=1"}, follow_redirects=False)
    assert kept.headers["location"] == "/me/privacy?x=1"


def test_the_operator_session_holds_no_key(site: Site) -> None:
    site.sign_in_operator()
    held = json.dumps(_session_of(site.client))
    secret = site.keys[Scope.ADMIN].split(".", 1)[1]
    assert "operator" in held and secret not in held


def test_pages_load_nothing_from_elsewhere_and_htmx_is_the_vendored_file() -> None:
    templates = SERVICE.joinpath("templates")
    remote = re.compile(r"""(src|href|action)=["'](https?:)?//""")
    for template in Path(str(templates)).rglob("*.j2"):
        assert not remote.search(template.read_text("utf-8")), template
    static = SERVICE.joinpath("static")
    expected = static.joinpath("htmx.min.js.sha256").read_text("utf-8").split()[0]
    assert hashlib.sha256(static.joinpath("htmx.min.js").read_bytes()).hexdigest() == expected


def test_the_pages_anyone_can_reach_are_rate_limited_per_address(tmp_path: Path) -> None:
    settings = Settings(
        manifest=SEED_FIXED,
        database_url=f"sqlite:///{tmp_path}/limit.db",
        demo_tenant="demo",
        public_rate="3/minute",
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        answers = [client.get("/web/enter?token=guess").status_code for _ in range(3)]
        assert answers == [401, 401, 401]
        limited = client.get("/web/enter?token=guess")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert limited.headers["content-type"].startswith("text/html")  # a page, in the page layout
        token = CSRF_FIELD.search(client.get("/demo/welcome").text)
        assert token is not None
        signed_up = client.post(
            "/demo/welcome", data={"csrf_token": token.group(1), "action": "agree"}, follow_redirects=False
        )
        assert signed_up.status_code == 429  # the same budget: account creation cannot be flooded either
