"""Lifting the append-only guards for one transaction, as a database owner could: what tampering needs.

PostgreSQL: `session_replication_role = replica` skips ordinary triggers (superuser only; the tests
connect as `postgres`). SQLite: the guard triggers are dropped inside the transaction, so a rollback
or the end of the block puts them back exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

GUARDED = ("audit_records", "audit_heads", "consent_events")


@contextmanager
def unguarded(connection: Connection) -> Iterator[None]:
    """Inside an open transaction on `connection`: UPDATE and DELETE pass the guards until the block ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        try:
            yield
        finally:
            connection.execute(text("SET LOCAL session_replication_role = origin"))
        return
    placeholders = ", ".join(f"'{t}'" for t in GUARDED)
    triggers = connection.execute(
        text(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})")
    ).all()
    for name, _ in triggers:
        connection.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        for _, sql in triggers:
            connection.execute(text(sql))
