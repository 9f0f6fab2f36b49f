"""How the hub hears that a journal grew: PostgreSQL pushes it (LISTEN), SQLite is polled.

Both have one shape: `connect()`, then `wait(timeout)` until something may have changed. `wait`
returns the tenants a notification named, or None when every tenant must be read (the safety poll,
or a poll on SQLite); it raises when the connection is gone, so that the gate stops trusting its cache.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Protocol

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from consentgate.runtime.changes.journal import CHANNEL

# How the LISTEN connection is named in pg_stat_activity (operators, and the tests, find it by it).
APPLICATION_NAME = "consentgate-changes"
# A silently dead peer is noticed within about keepalives_idle + interval * count seconds.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


class Wakeups(Protocol):
    def connect(self) -> None: ...
    def wait(self, timeout: float) -> set[str] | None: ...
    def wake(self) -> None: ...
    def disconnect(self) -> None: ...
    def close(self) -> None: ...


class Polled:
    """SQLite has no push: every `wait` is a poll of every tenant after `timeout`."""

    def __init__(self) -> None:
        self._woken = threading.Event()

    def connect(self) -> None:
        pass

    def wait(self, timeout: float) -> set[str] | None:
        self._woken.wait(timeout)
        self._woken.clear()
        return None

    def wake(self) -> None:
        self._woken.set()

    def disconnect(self) -> None:
        pass

    def close(self) -> None:
        pass


class Listener:
    """One LISTEN connection (psycopg, autocommit) for the whole process, whatever the tenants."""

    def __init__(self, url: str) -> None:
        self._conninfo = conninfo(url)
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._named: set[str] = set()
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)

    def connect(self) -> None:
        self.disconnect()
        conn = psycopg.connect(self._conninfo, autocommit=True)
        conn.add_notify_handler(lambda notify: self._named.add(notify.payload))
        conn.execute(f"LISTEN {CHANNEL}")
        self._conn = conn

    def wait(self, timeout: float) -> set[str] | None:
        conn = self._conn
        if conn is None:
            raise psycopg.OperationalError("the change listener is not connected")
        ready, _, _ = select.select([conn.fileno(), self._wake_in], [], [], timeout)
        if self._wake_in in ready:
            with contextlib.suppress(BlockingIOError):
                self._wake_in.recv(4096)
        # One round trip hands every queued notification to the handler and proves the connection
        # alive: a terminated backend makes the socket readable with nothing to read but the error.
        conn.execute("SELECT 1")
        named, self._named = self._named, set()
        return named if conn.fileno() in ready else None

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_out.send(b"\0")

    def disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def close(self) -> None:
        self.disconnect()
        self._wake_in.close()
        self._wake_out.close()


def conninfo(url: str) -> str:
    """libpq's connection string for a SQLAlchemy URL (`postgresql+psycopg://user@host/db?...`)."""
    parsed = make_url(url)
    params: dict[str, str | int | None] = {
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        "user": parsed.username,
        "password": parsed.password,
    }
    for key, value in parsed.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    params |= _KEEPALIVES | {"application_name": APPLICATION_NAME, "connect_timeout": 5}
    return make_conninfo("", **{key: value for key, value in params.items() if value is not None})


def wakeups_for(url: str) -> Wakeups:
    return Listener(url) if make_url(url).get_backend_name() == "postgresql" else Polled()
