"""Alembic environment: runs on the connection `store.migrate` hands over (or opens one from the URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from consentgate.store.tables import all_tables

config = context.config
target_metadata = all_tables()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as own:
        context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
