"""`GET /healthz`: the process is up and its database answers (for load balancers; no key needed).

Once a tenant's engine runs, `changes` says whether this worker's change feed is caught up (`live`) or
not (`starting`, `stale`, `failed`): then its gate reads every decision from the database, so the
worker still answers correctly, only slower — `status` stays `ok`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from consentgate.runtime.changes.hub import FeedState

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    changes: FeedState | None = None  # None (left out) while no engine runs in this worker


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
def healthz(request: Request) -> Health:
    engines = request.app.state.engines
    with engines.database.reading() as session:
        session.execute(text("SELECT 1"))
    feed: FeedState = engines.change_feed
    return Health(status="ok", changes=None if feed is FeedState.IDLE else feed)
