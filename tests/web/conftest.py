"""The web pages served in-process (TestClient) on SQLite and PostgreSQL, with the demo tenant and feed.

`site.sign_in(subject)` goes through the real door: the app backend asks for a sign-in link with its
key and the browser opens it. `site.form(path)` reads a page's form token, as a browser would submit it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.engine import Engine
from consentgate.runtime.rights.deadlines import due_date
from consentgate.runtime.rights.models import RightsRequestRow
from consentgate.runtime.rights.schemas import RightsRequest
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED, database_url, key_ring

__all__ = ["database_url", "key_ring"]

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "demo-app" / "lessons.yaml"
TENANT = "demo"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SESSION_COOKIE = "consentgate_session"


def session_of(client: TestClient) -> dict[str, object]:
    """What the client's session holds on the server, found by its cookie's token; {} for no live one.
    (The cookie itself holds nothing but the token.)"""
    token = client.cookies.get(SESSION_COOKIE)
    loaded = client.app.state.sessions.load(token) if token else None  # type: ignore[attr-defined]
    held: dict[str, object] = loaded.data if loaded is not None else {}
    return held


@dataclass
class Site:
    client: TestClient
    keys: dict[Scope, str]  # the demo tenant's bearer tokens per scope

    @property
    def engine(self) -> Engine:
        engine: Engine = self.client.app.state.engines.get(TENANT)  # type: ignore[attr-defined]
        return engine

    def auth(self, scope: Scope = Scope.APP_BACKEND) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[scope]}"}

    def sign_in(self, subject: str, page: str = "privacy") -> httpx.Response:
        """Registers `subject` (as the app would) and opens a sign-in link for them."""
        self.client.post("/v1/subjects", json={"subject": subject}, headers=self.auth()).raise_for_status()
        link = self.client.post(f"/v1/subjects/{subject}/web-link", json={"page": page}, headers=self.auth())
        link.raise_for_status()
        url = httpx.URL(link.json()["url"])
        return self.client.get(f"{url.path}?{url.query.decode()}")

    def sign_in_operator(self, scope: Scope = Scope.ADMIN) -> httpx.Response:
        return self.post("/console/login", {"api_key": self.keys[scope]}, page="/console/login")

    def token(self, page: str) -> str:
        found = CSRF.search(self.client.get(page).text)
        assert found, f"no form token on {page}"
        return found.group(1)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, page: str | None = None
    ) -> httpx.Response:
        """Submits a form the way a browser does: with the token the page (`page`, default `path`) carried."""
        body = {"csrf_token": self.token(page or path), **(data or {})}
        return self.client.post(path, data=body, follow_redirects=False)


def backdated_request(
    engine: Engine, subject: str, kind: str = "delete", *, days_ago: int = 0
) -> RightsRequest:
    """A request received `days_ago` days back: filed now, then its receipt (and so its deadline) moved."""
    engine.consent.register_subject(subject)
    filed = engine.rights.request(subject, kind)
    if days_ago:
        received = datetime.now(UTC) - timedelta(days=days_ago)
        moved = (
            update(RightsRequestRow)
            .where(
                RightsRequestRow.tenant_id == engine.tenant, RightsRequestRow.request_id == filed.request_id
            )
            .values(received_at=received, due_on=due_date(received))
        )
        with engine.database.engine.begin() as connection:
            connection.execute(moved)
    return engine.rights.get(filed.request_id)


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    app = create_app(
        Settings(manifest=SEED_FIXED, database_url=database_url, catalog=CATALOG, demo_tenant=TENANT)
    )
    keys = {scope: app.state.keys.create(TENANT, f"web {scope.value}", [scope]).token for scope in Scope}
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield Site(client, keys)
