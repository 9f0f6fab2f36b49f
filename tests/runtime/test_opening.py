"""Only `consentgate db upgrade` creates a database: a typo is an error naming the URL, never a new
empty database that answers "unknown subject"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.engine import Engine
from consentgate.runtime.errors import DatabaseNotReady
from consentgate.store.database import Database
from consentgate.store.migrate import head_revision, release_revisions
from consentgate.store.opening import create_database, open_database
from tests.runtime.conftest import SEED_FIXED

register_all()
FIXED = str(SEED_FIXED)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _missing(database_url: str) -> str:
    """A URL of the same backend naming a database that does not exist (a typo)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(url.database or '').with_name('typo.db')}"
    return url.set(database=f"{url.database}_typo", password="s3cret").render_as_string(hide_password=False)


# Every command that reads or writes the runtime's data, as it would be typed with a typo in the URL.
COMMANDS = [
    ["consent", "show", "-m", FIXED, "-s", "u"],
    ["consent", "give", "-m", FIXED, "-s", "u", "-p", "marketing-sms"],
    ["consent", "withdraw", "-m", FIXED, "-s", "u", "-p", "marketing-sms"],
    ["consent", "rebuild", "-m", FIXED],
    ["decide", "-m", FIXED, "-s", "u", "-p", "marketing-sms", "--data", "phone"],
    ["rights", "status", "-m", FIXED, "--subject", "u"],
    ["rights", "overdue", "-m", FIXED],
    ["auditlog", "verify"],
    ["apikey", "list", "--tenant", "acme"],
    ["apikey", "create", "--tenant", "acme", "--name", "backend"],
    ["key", "forget-retired", "-m", FIXED],
    ["key", "export-legacy", "--out", "/nonexistent-dir/keys"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_refuses_a_missing_database_and_creates_nothing(
    command: list[str], database_url: str
) -> None:
    typo = _missing(database_url)
    code, output = _run(*command, "--database-url", typo)
    assert code == 2, output
    assert "[runtime.database_not_ready]" in output and "consentgate db upgrade" in output, output
    assert "不存在" in output or "没有" in output  # said in Chinese too
    assert "s3cret" not in output and "Traceback" not in output
    if typo.startswith("sqlite"):
        folder = Path(make_url(typo).database or "").parent
        assert not any(path.name.startswith("typo.db") for path in folder.iterdir())  # no db, no key file
    else:
        with pytest.raises(DatabaseNotReady):  # still not there
            open_database(typo)


def test_the_library_refuses_a_missing_database_unless_asked_to_create_it(database_url: str) -> None:
    with pytest.raises(DatabaseNotReady) as refused:
        Engine.from_manifest(SEED_FIXED, database_url=database_url)
    assert "db upgrade" in refused.value.text.en
    with Engine.from_manifest(SEED_FIXED, database_url=database_url, create=True) as engine:
        engine.consent.register_subject("u")
    with Engine.from_manifest(SEED_FIXED, database_url=database_url) as engine:  # now it opens
        assert engine.consent.facts("u") == {}


def test_db_upgrade_creates_the_missing_database_the_others_refused(database_url: str) -> None:
    typo = _missing(database_url)
    assert (
        _run(
            "decide", "-m", FIXED, "-s", "u", "-p", "marketing-sms", "--data", "phone", "--database-url", typo
        )[0]
        == 2
    )
    try:
        code, output = _run("db", "upgrade", "--database-url", typo)
        assert code == 0 and "OK" in output and "s3cret" not in output, output
        code, output = _run("consent", "show", "-m", FIXED, "-s", "u", "--database-url", typo)
        assert code == 2 and "[runtime.unknown_subject]" in output, output  # now the answer is about u
    finally:
        _drop(typo)


def test_a_database_never_upgraded_older_or_newer_is_refused_with_its_revision(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        Path(make_url(database_url).database or "").touch()  # an empty file: never upgraded
    code, output = _run("consent", "show", "-m", FIXED, "-s", "u", "--database-url", database_url)
    assert code == 2 and "never upgraded" in output, output
    create_database(database_url).dispose()
    head = head_revision()
    for stored, says in (
        ("0009_fact_changes", "older than this release's"),
        ("0999_future", "does not know"),
    ):
        _set_revision(database_url, stored)
        code, output = _run("consent", "show", "-m", FIXED, "-s", "u", "--database-url", database_url)
        assert code == 2 and stored in output and says in output and f"{head}" in output, output
    _set_revision(database_url, head or "")
    assert _run("consent", "rebuild", "-m", FIXED, "--database-url", database_url)[0] == 0


def test_reading_the_migration_files_finds_the_head_alembic_finds() -> None:
    revisions = release_revisions()
    assert revisions.head == head_revision()
    assert len(revisions.known) == len(
        list((Path(__file__).parents[2] / "src/consentgate/store/migrations/versions").glob("0*.py"))
    )


def _set_revision(url: str, revision: str) -> None:
    database = Database(url)
    try:
        with database.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        database.dispose()


def _drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return  # inside the test's tmp_path
    admin = Database(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()
