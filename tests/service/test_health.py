"""`/healthz` says whether this worker's change feed is caught up, once a tenant's engine runs."""

from __future__ import annotations

import time

from consentgate.runtime.apikeys.schemas import Scope
from consentgate.runtime.changes.hub import ChangeHub
from tests.service.conftest import Served


def test_health_reports_the_change_feed_once_an_engine_runs(served: Served) -> None:
    assert "changes" not in served.client.get("/healthz").json()  # no engine, no feed yet
    served.client.get("/v1/notices", headers=served.auth("tenant-a", Scope.ADMIN))  # starts tenant-a's
    deadline = time.monotonic() + 30
    while (health := served.client.get("/healthz").json())["changes"] != "live":
        assert time.monotonic() < deadline, health
        time.sleep(0.01)
    assert health["status"] == "ok"


def test_health_reports_a_stale_feed_and_stays_ok(served: Served) -> None:
    served.client.get("/v1/notices", headers=served.auth("tenant-a", Scope.ADMIN))
    hub: ChangeHub = served.client.app.state.engines.get("tenant-a").change_hub  # type: ignore[attr-defined]
    hub.stale_after = 0.0  # every catch-up is out of date the moment it ends
    deadline = time.monotonic() + 30
    while (health := served.client.get("/healthz").json())["changes"] != "stale":
        assert time.monotonic() < deadline, health
        time.sleep(0.01)
    assert health["status"] == "ok"
