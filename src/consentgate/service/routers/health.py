"""`GET /healthz`: the process is up and its database answers (for load balancers; no key needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    with request.app.state.engines.database.reading() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok")
