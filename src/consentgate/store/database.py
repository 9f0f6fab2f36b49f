"""Connections and transactions. SQLite (one file) by default; PostgreSQL by URL.

`CONSENTGATE_DATABASE_URL` chooses the database; without it the runtime uses the embedded SQLite
file `consentgate.db` in the working directory. Every write goes through `Database.transaction()`:
one transaction per call, so a failed call leaves nothing half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "CONSENTGATE_DATABASE_URL"
DEFAULT_URL = "sqlite:///consentgate.db"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else the environment, else the embedded SQLite file."""
    return explicit or os.environ.get(ENV_URL) or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; synchronous=FULL makes a committed event survive
    # a killed process and a power cut alike; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Deleted content is overwritten with zeros, not left in free pages: an erasure must leave no
    # readable trace in the file (docs/deletion.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# Set on the engine `Database.reading()` sessions use: their BEGIN must not take the write lock.
_READ_ONLY = "consentgate_read_only"


def _sqlite_begin(connection: Any) -> None:
    # A write takes the write lock at BEGIN, so two writers queue instead of failing half-way. A read
    # does not: in WAL mode it reads a snapshot beside the writer, so it never waits for another
    # process's commit (with IMMEDIATE it did, on the event loop too: multi-second stalls under load).
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "isolation_level": None})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits together at the end, or not at all."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: on SQLite it never waits for a writer (nothing it writes commits)."""
        with self._readers() as session:
            yield session

    def scrub(self) -> None:
        """Pushes what the last commits left only in the SQLite write-ahead log into the main file and
        empties the log, so no older copy of an erased page stays readable there. A no-op elsewhere:
        PostgreSQL's own WAL and dead tuples are its business (docs/deletion.md)."""
        if self.dialect != "sqlite":
            return
        connection = self.engine.raw_connection()  # outside any BEGIN: a checkpoint needs none open
        try:
            connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()

    def dispose(self) -> None:
        self.engine.dispose()
