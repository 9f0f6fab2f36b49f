"""The store's own guarantees: migrations reach head on both databases and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from consentgate.store.database import Database
from consentgate.store.migrate import head_revision, is_current, upgrade
from consentgate.store.tables import all_tables


def test_upgrade_reaches_head_and_is_idempotent(database: Database) -> None:
    assert is_current(database)
    upgrade(database)  # a second run changes nothing and does not fail
    assert is_current(database)
    assert head_revision() is not None


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), all_tables())
    assert diff == [], f"models and migrations differ: {diff}"
