"""Alembic, driven from code: `consentgate db upgrade` (and `Engine.from_manifest(create=True)`) call this.

Alembic itself (with Mako and Pygments behind it) costs more than half a second of CPU to import, so
it is imported only to migrate. Asking whether a database is current needs none of it: the revision
a database is at is one row of `alembic_version`, and this release's revisions are read from the
migration files' `revision` / `down_revision` assignments with `ast`, without executing them
(`tests/runtime/test_opening.py` pins that this reading agrees with Alembic's own).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from consentgate.store.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "consentgate.store:migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Brings the schema to `revision` (idempotent: at head it returns without loading Alembic)."""
    if revision == "head" and is_current(database):
        return
    from alembic import command

    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    """This release's newest revision, as Alembic computes it (loads Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@dataclass(frozen=True)
class Revisions:
    """This release's migration graph, as far as opening a database needs it."""

    known: frozenset[str]
    heads: frozenset[str]

    @property
    def head(self) -> str | None:
        return next(iter(self.heads)) if len(self.heads) == 1 else None


@cache
def release_revisions() -> Revisions:
    """Every revision the migration files declare, and the heads (revisions nothing revises)."""
    known: set[str] = set()
    revised: set[str] = set()
    folder = resources.files("consentgate.store.migrations").joinpath("versions")
    for entry in folder.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("_"):
            continue
        values = _assignments(entry.read_text("utf-8"))
        revision = values.get("revision")
        if isinstance(revision, str):
            known.add(revision)
            down = values.get("down_revision")
            if isinstance(down, str):
                revised.add(down)
            elif isinstance(down, tuple | list):  # a merge revision revises several
                revised.update(str(each) for each in down)
    return Revisions(frozenset(known), frozenset(known - revised))


def _assignments(source: str) -> dict[str, object]:
    """The module's top-level `name = literal` assignments (annotated or not), never executed."""
    values: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return values


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions recorded in the database; empty when it was never upgraded."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return frozenset()
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
        return frozenset(rows)


def current_revision(engine: Engine) -> str | None:
    found = current_revisions(engine)
    return next(iter(found)) if len(found) == 1 else None


def is_current(database: Database) -> bool:
    revisions = release_revisions()
    if revisions.head is None:  # several heads (two branches not merged yet): Alembic decides
        return current_revision(database.engine) == head_revision()
    return current_revisions(database.engine) == revisions.heads
