"""Opening a database: only `consentgate db upgrade` creates one; everything else opens what is there.

A mistyped path or database name used to be created and migrated on the spot, so a typo read as
"unknown subject" instead of as a typo. `open_database` refuses a missing SQLite file, a missing
PostgreSQL database, a database never upgraded, and one older or newer than this release, each with
its URL (password masked) and what to do. `create_database` is the one way to make one: the command
`db upgrade` and the explicit opt-in `Engine.from_manifest(..., create=True)` (tests, the demo).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from consentgate.store.database import Database
from consentgate.store.errors import DatabaseNotReady
from consentgate.store.migrate import current_revisions, is_current, release_revisions, upgrade

_MAINTENANCE_DATABASE = "postgres"


def shown_url(url: str) -> str:
    """The URL as a message may show it: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def open_database(url: str, *, require_current: bool = True) -> Database:
    """An existing database at this release's schema (or, with `require_current=False`, any schema).

    Nothing is created: a missing SQLite file is refused before connecting (connecting would create it).
    """
    require_sqlite_file(url)
    database = Database(url)
    try:
        found = _revisions_or_missing(database, make_url(url))
        if require_current and not _current(found, database):
            raise _not_current(url, found)
    except BaseException:
        database.dispose()
        raise
    return database


def require_sqlite_file(url: str) -> None:
    """Refuses an SQLite URL whose file does not exist, touching nothing (not even its key file)."""
    missing = _missing_sqlite_file(make_url(url))
    if missing is not None:
        raise DatabaseNotReady.from_key("store.open.sqlite_missing", url=shown_url(url), path=missing)


def create_database(url: str) -> Database:
    """The database at `url`, made if missing (a PostgreSQL database too) and brought to the current schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.database:
        _create_postgres_database(parsed)
    database = Database(url)
    try:
        upgrade(database)
    except BaseException:
        database.dispose()
        raise
    return database


def _missing_sqlite_file(parsed: URL) -> str | None:
    """The path of an SQLite file that does not exist; None for in-memory, URI-style or other backends."""
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    if path.startswith("file:") or parsed.query.get("uri"):
        return None  # SQLite URI filenames carry their own mode (mode=rw refuses a missing file itself)
    return None if Path(path).exists() else str(Path(path).absolute())


def _revisions_or_missing(database: Database, parsed: URL) -> frozenset[str]:
    try:
        return current_revisions(database.engine)
    except OperationalError:
        if _postgres_database_missing(parsed):
            raise DatabaseNotReady.from_key(
                "store.open.postgres_missing", url=shown_url(database.url), name=parsed.database or ""
            ) from None
        raise


def _current(found: frozenset[str], database: Database) -> bool:
    heads = release_revisions().heads
    return found == heads if len(heads) == 1 else is_current(database)


def _not_current(url: str, found: frozenset[str]) -> DatabaseNotReady:
    revisions = release_revisions()
    head = revisions.head or ", ".join(sorted(revisions.heads))
    at = ", ".join(sorted(found))
    if not found:
        return DatabaseNotReady.from_key("store.open.never_upgraded", url=shown_url(url))
    if found <= revisions.known:
        return DatabaseNotReady.from_key("store.open.older", url=shown_url(url), current=at, head=head)
    return DatabaseNotReady.from_key("store.open.newer", url=shown_url(url), current=at, head=head)


def _postgres_database_missing(parsed: URL) -> bool:
    """True when the server answers and lists no database of that name (asked in its maintenance
    database: a refused connection carries no SQLSTATE, and its text is in the server's language)."""
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return False
    admin = create_engine(parsed.set(database=_MAINTENANCE_DATABASE))
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            ).first()
            return found is None
    except OperationalError:
        return False  # cannot tell: the original error stands
    finally:
        admin.dispose()


def _create_postgres_database(parsed: URL) -> None:
    """CREATE DATABASE when the server has none of that name (through its maintenance database)."""
    if not _postgres_database_missing(parsed):
        return
    admin = create_engine(parsed.set(database=_MAINTENANCE_DATABASE), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = connection.dialect.identifier_preparer.quote_identifier(parsed.database or "")
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
