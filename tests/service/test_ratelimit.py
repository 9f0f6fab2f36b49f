"""The endpoints anyone can reach without a key are rate-limited per client address; keyed ones are not."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.service.app import create_app
from consentgate.service.settings import Settings
from tests.runtime.conftest import SEED_FIXED

GUESS = "/v1/marketing/unsubscribe/" + "A" * 43


def test_the_public_unsubscribe_link_answers_429_after_the_budget(tmp_path: Path) -> None:
    app = create_app(
        Settings(manifest=SEED_FIXED, database_url=f"sqlite:///{tmp_path / 'rl.db'}", public_rate="3/minute")
    )
    token = app.state.keys.create("t", "backend", [Scope.READ_ONLY]).token
    with TestClient(app) as client:
        assert [client.get(GUESS).status_code for _ in range(3)] == [404, 404, 404]  # guesses, refused
        limited = client.get(GUESS)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "60"
        assert limited.json()["code"] == "service.too_many_requests" and "3" in limited.json()["detail"]
        assert client.post(GUESS).status_code == 429  # one budget for the address, whatever the method
        keyed = [client.get("/v1/notices", headers={"Authorization": f"Bearer {token}"}) for _ in range(5)]
        assert {r.status_code for r in keyed} == {200}
