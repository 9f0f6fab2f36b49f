"""A served app on SQLite and PostgreSQL, with keys of two tenants and every scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED, database_url, key_ring

# The SQLite and PostgreSQL parametrization and the test key ring, shared with the runtime tests.
__all__ = ["database_url", "key_ring"]


NOTICE_ID, NOTICE_VERSION = "privacy-policy", "2024-01"  # the seed app's notice as published


@dataclass
class Served:
    client: TestClient
    keys: dict[tuple[str, Scope], str]  # (tenant, scope) -> bearer token

    def auth(self, tenant: str = "tenant-a", scope: Scope = Scope.APP_BACKEND) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant, scope]}"}

    def consent(self, subject: str, purpose: str, decision: str = "give", **extra: str) -> None:
        """Records a decision of `subject`'s on the seed app's notice, through the API."""
        body = {
            "purpose": purpose,
            "decision": decision,
            "notice_id": NOTICE_ID,
            "notice_version": NOTICE_VERSION,
        }
        response = self.client.post(
            f"/v1/subjects/{subject}/consents", json=body | extra, headers=self.auth()
        )
        assert response.status_code == 201, response.text


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    app = create_app(Settings(manifest=SEED_FIXED, database_url=database_url))
    keys = {
        (tenant, scope): app.state.keys.create(tenant, f"{tenant} {scope.value}", [scope]).token
        for tenant in ("tenant-a", "tenant-b")
        for scope in Scope
    }
    with TestClient(app) as client:
        yield Served(client, keys)
