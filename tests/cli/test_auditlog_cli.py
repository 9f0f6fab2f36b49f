"""`consentgate auditlog verify`: OK with a count, the first problem in zh and en (exit 1), or exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import ENV_URL, Database
from tests.runtime.auditlog.guards import unguarded
from tests.runtime.conftest import database, database_url  # noqa: F401 - both databases, as for the runtime

register_all()


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["auditlog", "verify", *args])


def _write(db: Database, tenant: str, count: int) -> None:
    log = AuditLog(db, tenant=tenant, clock=FakeClock(), ids=SequentialIds(tenant))
    try:
        for n in range(count):
            with db.transaction() as session:
                log.record_change(session, "consent.given", {"n": n})
        log.record_decision({"allowed": True})
    finally:
        log.close()


def test_an_intact_chain_is_ok_with_its_record_count(database: Database) -> None:  # noqa: F811
    _write(database, "default", 3)
    result = _run("--database-url", database.url)
    assert result.exit_code == 0, result.output
    assert "审计日志哈希链完整" in result.output and "4 条记录" in result.output
    assert "all 4 record(s) of tenant 'default' verified" in result.output


def test_the_first_problem_is_named_in_both_languages_with_exit_1(database: Database) -> None:  # noqa: F811
    _write(database, "default", 4)
    with database.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    result = _run("--database-url", database.url)
    assert result.exit_code == 1
    assert "[记录被删除] 序号 2" in result.output
    assert "[deleted] seq 2" in result.output
    assert "1 record(s) verified before the problem" in result.output
    assert "Traceback" not in result.output


def test_the_tenant_option_picks_the_chain(database: Database) -> None:  # noqa: F811
    _write(database, "default", 2)
    _write(database, "shop", 1)
    with database.engine.begin() as connection, unguarded(connection):
        connection.execute(
            text("UPDATE audit_records SET kind = 'x' WHERE tenant_id = 'default' AND seq = 1")
        )
    assert _run("--database-url", database.url).exit_code == 1
    shop = _run("--database-url", database.url, "--tenant", "shop")
    assert shop.exit_code == 0 and "tenant 'shop'" in shop.output


def test_the_url_defaults_to_the_environment(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    _write(database, "default", 1)
    monkeypatch.setenv(ENV_URL, database.url)
    result = _run()
    assert result.exit_code == 0, result.output
    assert "all 2 record(s)" in result.output


def test_a_database_not_at_the_current_schema_exits_2(database_url: str) -> None:  # noqa: F811
    result = _run("--database-url", database_url)
    assert result.exit_code == 2
    assert "[runtime.database_not_ready]" in result.output
    assert "consentgate db upgrade" in result.output
    assert "数据库" in result.output
    assert "Traceback" not in result.output


def test_a_missing_sqlite_file_exits_2_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = _run("--database-url", f"sqlite:///{missing}")
    assert result.exit_code == 2
    assert "[runtime.database_not_ready]" in result.output
    assert not missing.exists()


def test_an_unreachable_database_exits_2_without_a_traceback() -> None:
    result = _run("--database-url", "postgresql+psycopg://postgres@127.0.0.1:9/nothing?connect_timeout=2")
    assert result.exit_code == 2
    assert "无法连接数据库" in result.output and "cannot reach the database" in result.output
    assert "Traceback" not in result.output
