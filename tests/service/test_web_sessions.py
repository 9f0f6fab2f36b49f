"""The web-session store on SQLite and PostgreSQL: tokens hashed at rest, tenant-scoped sign-out, expiry
by the clock port, sessions ended elsewhere never brought back, and erasure leaving no session."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consentgate.runtime.ports import FakeClock
from consentgate.runtime.sessions import WebSessions
from consentgate.runtime.sessions.models import WebSessionRow
from consentgate.runtime.sessions.service import PURGE_INTERVAL
from consentgate.store.database import Database
from tests.runtime.conftest import database  # the fixture, on both backends

__all__ = ["database"]


def _person(tenant: str, subject: str) -> dict[str, object]:
    return {"person": {"tenant": tenant, "subject": subject}, "csrf": "t"}


def _rows(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(WebSessionRow)) or 0


def test_signing_out_everywhere_touches_only_that_tenants_person(database: Database) -> None:
    sessions = WebSessions(database, clock=FakeClock())
    mine = [sessions.create(_person("tenant-a", "u-1")) for _ in range(2)]
    same_id_elsewhere = sessions.create(_person("tenant-b", "u-1"))
    neighbour = sessions.create(_person("tenant-a", "u-2"))

    assert sessions.end_everywhere("tenant-a", "u-1") == 2
    assert all(sessions.load(token) is None for token in mine)
    assert sessions.load(same_id_elsewhere) is not None
    assert sessions.load(neighbour) is not None


def test_a_session_ended_elsewhere_is_not_brought_back_by_saving_it(database: Database) -> None:
    sessions = WebSessions(database, clock=FakeClock())
    token = sessions.create(_person("tenant-a", "u-1"))
    assert sessions.load(token) is not None
    sessions.end_everywhere("tenant-a", "u-1")  # from another device, while this request ran
    assert sessions.save(token, _person("tenant-a", "u-1") | {"flash": "x"}) is False
    assert sessions.load(token) is None


def test_expired_sessions_are_refused_then_purged(database: Database) -> None:
    clock = FakeClock()
    sessions = WebSessions(database, clock=clock, idle_timeout=timedelta(minutes=30))
    idle = sessions.create(_person("tenant-a", "u-1"))
    clock.advance(minutes=30)
    assert sessions.load(idle) is None  # exactly the idle timeout: ended
    stale = sessions.create(_person("tenant-a", "u-2"))
    clock.advance(minutes=31)
    assert _rows(database) == 1  # `idle` was deleted when found; `stale` waits for the purge
    clock.advance(seconds=PURGE_INTERVAL.total_seconds())
    sessions.create({"lang": "en"})
    assert _rows(database) == 1  # the purge took `stale`; only the new one is left
    assert sessions.load(stale) is None


def test_the_table_keeps_the_tokens_hash_and_who_it_signs_in(database: Database) -> None:
    sessions = WebSessions(database, clock=FakeClock())
    token = sessions.create({"operator": {"tenant": "tenant-a", "key_id": "cgk_x", "scopes": ["admin"]}})
    with database.reading() as session:
        row = session.scalars(select(WebSessionRow)).one()
        assert row.token_hash != token and token not in str(row.data)
        assert (row.tenant_id, row.subject, row.key_id) == ("tenant-a", None, "cgk_x")
    loaded = sessions.load(token)
    assert loaded is not None
    sessions.save(token, loaded.data | _person("tenant-a", "u-9"))  # the person signs in beside it
    with database.reading() as session:
        row = session.scalars(select(WebSessionRow)).one()
        assert (row.tenant_id, row.subject, row.key_id) == ("tenant-a", "u-9", "cgk_x")
