"""PostgreSQL's bulk writes of events and projection rows: one statement per batch, each column one array."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import text

# PostgreSQL bulk paths: one statement per batch whatever its size, each column sent as one array
# (`unnest`), instead of a round trip per row or a statement with thousands of placeholders.
# JSON columns travel as text and are cast on the server.
EVENT_ARRAYS = {
    "tenant_id": "text",
    "seq": "bigint",
    "event_id": "text",
    "subject_ref": "text",
    "purpose": "text",
    "kind": "text",
    "data": "json",
    "recipient": "text",
    "notice_id": "text",
    "notice_version": "text",
    "mechanism": "text",
    "channel": "text",
    "evidence": "json",
    "occurred_at": "timestamptz",
}
STATE_ARRAYS = {
    "tenant_id": "text",
    "subject": "text",
    "purpose": "text",
    "recipient": "text",
    "status": "text",
    "event_id": "text",
    "notice_id": "text",
    "notice_version": "text",
    "data": "json",
    "mechanism": "text",
    "updated_at": "timestamptz",
}


def _unnest_insert(table: str, columns: dict[str, str]) -> str:
    names = ", ".join(columns)
    picked = ", ".join(f"x.{c}::jsonb" if kind == "json" else f"x.{c}" for c, kind in columns.items())
    arrays = ", ".join(f"CAST(:{c} AS {'text' if kind == 'json' else kind}[])" for c, kind in columns.items())
    return f"INSERT INTO {table} ({names}) SELECT {picked} FROM unnest({arrays}) AS x({names})"


def as_arrays(rows: Sequence[dict[str, Any]], columns: dict[str, str]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for column, kind in columns.items():
        values = [row[column] for row in rows]
        arrays[column] = [orjson.dumps(v).decode() for v in values] if kind == "json" else values
    return arrays


PG_APPEND = text(_unnest_insert("consent_events", EVENT_ARRAYS))
PG_UPSERT_STATE = text(
    _unnest_insert("consent_state", STATE_ARRAYS)
    + " ON CONFLICT (tenant_id, subject, purpose, recipient) DO UPDATE SET "
    + ", ".join(
        f"{c} = excluded.{c}"
        for c in ("status", "event_id", "notice_id", "notice_version", "data", "mechanism", "updated_at")
    )
)
