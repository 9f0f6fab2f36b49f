"""`auditlog verify` over ledger and projection, `--repair-projection`, `auditlog anchor` and
`verify --anchor`, and the guards of migration 0012 — on SQLite and PostgreSQL, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner, Result

from consentgate.cli.app import app
from consentgate.cli.commands import register_all
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.ports import FakeClock, SequentialIds
from consentgate.store.database import Database
from consentgate.store.migrate import upgrade
from tests.runtime.auditlog.guards import unguarded
from tests.runtime.conftest import NOTICE, TENANT

register_all()
PUSH = "personalized-push"


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, ["auditlog", *args])


def _withdrawn(ledger: ConsentLedger) -> None:
    ledger.register_subject("u2")
    ledger.give("u2", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["occupation"])
    ledger.withdraw("u2", PUSH)


def test_a_projection_edited_to_overturn_a_withdrawal_fails_verify_and_is_repaired(
    database: Database, ledger: ConsentLedger
) -> None:
    _withdrawn(ledger)
    assert _run("verify", "--database-url", database.url, "--tenant", TENANT).exit_code == 0
    with database.engine.begin() as connection:  # the projection has no guard: verification is its check
        connection.execute(text("UPDATE consent_state SET status = 'given' WHERE subject = 'u2'"))
    broken = _run("verify", "--database-url", database.url, "--tenant", TENANT)
    assert broken.exit_code == 1, broken.output
    assert "[consent_state] row u2 / personalized-push / —" in broken.output
    assert 'status: "given" ≠ "withdrawn"' in broken.output
    assert "与账本给出的不符" in broken.output and "differs from what the ledger gives" in broken.output
    repaired = _run("verify", "--database-url", database.url, "--tenant", TENANT, "--repair-projection")
    assert repaired.exit_code == 0, repaired.output
    assert not ledger.facts("u2")[PUSH, None].live


def test_a_forged_consent_event_fails_verify_naming_the_event(
    database: Database, ledger: ConsentLedger
) -> None:
    _withdrawn(ledger)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO consent_events (tenant_id, event_id, subject_ref, purpose, kind, data, recipient,"
                " notice_id, notice_version, mechanism, channel, evidence, occurred_at)"
                " SELECT tenant_id, 'forged-1', subject_ref, purpose, 'given', data, recipient, notice_id,"
                " notice_version, mechanism, channel, evidence, occurred_at FROM consent_events"
                " WHERE kind = 'withdrawn'"
            )
        )
    result = _run("verify", "--database-url", database.url, "--tenant", TENANT)
    assert result.exit_code == 1
    assert "[consent_events] event forged-1" in result.output and "named by no audit record" in result.output


def test_a_subject_ref_set_to_null_fails_verify(
    database: Database, audit: AuditLog, ledger: ConsentLedger
) -> None:
    ledger.register_subject("u1")
    audit.record_decision({"subject": "u1", "purpose": PUSH})
    audit.flush()
    with database.engine.begin() as connection, unguarded(connection):
        hidden = connection.execute(
            text("UPDATE audit_records SET subject_ref = NULL WHERE kind = 'decision'")
        )
        assert hidden.rowcount == 1
    result = _run("verify", "--database-url", database.url, "--tenant", TENANT)
    assert result.exit_code == 1 and "subject_ref" in result.output


def _chain(database: Database, tenant: str, count: int) -> None:
    log = AuditLog(database, tenant=tenant, clock=FakeClock(), ids=SequentialIds(tenant))
    try:
        for n in range(count):
            log.record_decision({"n": n})
    finally:
        log.close()


def test_an_anchor_detects_a_deleted_tenant_chain_and_names_the_tenant(
    database: Database, tmp_path: Path
) -> None:
    _chain(database, "shop", 120)
    _chain(database, "school", 3)
    anchor = tmp_path / "anchor.json"
    made = _run("anchor", "--database-url", database.url, "--out", str(anchor))
    assert made.exit_code == 0, made.output
    heads = json.loads(anchor.read_text())["heads"]
    assert {(h["tenant"], h["seq"]) for h in heads} == {("shop", 120), ("school", 3)}
    assert (
        _run(
            "verify", "--database-url", database.url, "--tenant", "school", "--anchor", str(anchor)
        ).exit_code
        == 0
    )
    assert (
        _run("anchor", "--database-url", database.url, "--out", str(anchor)).exit_code == 2
    )  # never overwritten
    with database.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_records WHERE tenant_id = 'shop'"))
        connection.execute(text("DELETE FROM audit_heads WHERE tenant_id = 'shop'"))
    # On its own the emptied tenant verifies: nothing is left to contradict.
    assert _run("verify", "--database-url", database.url, "--tenant", "shop").exit_code == 0
    result = _run("verify", "--database-url", database.url, "--tenant", "school", "--anchor", str(anchor))
    assert result.exit_code == 1
    assert "tenant 'shop'" in result.output and "says 120 record(s), the database has none" in result.output
    assert "租户“shop”" in result.output


def test_an_altered_anchor_is_refused(database: Database, tmp_path: Path) -> None:
    _chain(database, "shop", 5)
    anchor = tmp_path / "anchor.json"
    assert _run("anchor", "--database-url", database.url, "--out", str(anchor)).exit_code == 0
    document = json.loads(anchor.read_text())
    document["heads"][0]["seq"] = 2  # an attacker who truncated the chain to 2 edits the anchor to match
    anchor.write_text(json.dumps(document))
    result = _run("verify", "--database-url", database.url, "--tenant", "shop", "--anchor", str(anchor))
    assert result.exit_code == 1 and "signature does not match" in result.output
    anchor.write_text("not an anchor")
    unreadable = _run("verify", "--database-url", database.url, "--anchor", str(anchor))
    assert unreadable.exit_code == 2 and "Traceback" not in unreadable.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET payload = '{}'",
        "DELETE FROM audit_records",
        "DELETE FROM audit_heads",
        "UPDATE audit_heads SET seq = seq - 1",
        "UPDATE audit_heads SET tenant_id = 'other'",
    ],
)
def test_the_database_refuses_rewriting_the_chain_and_rolling_back_its_head(
    database: Database, statement: str
) -> None:
    _chain(database, "shop", 3)
    with (
        pytest.raises(DBAPIError, match=r"append-only|only moves forward"),
        database.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    _chain(database, "shop", 1)  # appending (the head moving forward) still works
    with database.reading() as session:
        assert session.scalar(text("SELECT seq FROM audit_heads WHERE tenant_id = 'shop'")) == 4


def test_upgrade_fills_subject_ref_of_records_written_before_the_column(database_url: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db, "0011_keys_outside")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_records (tenant_id, seq, record_id, kind, payload, created_at, prev_hash,"
                    " hash, subject_ref) VALUES ('t', 1, 'r1', 'decision', :p, '2026-01-01 00:00:00', :z, :z, NULL)"
                ),
                {"p": '{"subject_ref":"' + "a" * 32 + '"}', "z": "0" * 64},
            )
        upgrade(db)
        with db.reading() as session:
            assert session.scalar(text("SELECT subject_ref FROM audit_records")) == "a" * 32
    finally:
        db.dispose()
