"""Throwaway databases for tests and benchmarks: made fresh, dropped afterwards."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consentgate.store.database import Database

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_postgres(admin_url: str = PG_ADMIN_URL, *, prefix: str = "cg_scratch") -> Iterator[str]:
    """The URL of a new PostgreSQL database, dropped (connections forced off) on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(
    backend: str, admin_url: str = PG_ADMIN_URL, *, prefix: str = "cg_scratch"
) -> Iterator[Database]:
    """A fresh, empty `Database` of the given backend ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite:///{Path(folder) / f'{prefix}.db'}")
            try:
                yield db
            finally:
                db.dispose()
        return
    with scratch_postgres(admin_url, prefix=prefix) as url:
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()
