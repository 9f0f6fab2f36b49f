"""The ledger is append-only: no repository method rewrites events, and the database refuses to."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from consentgate.runtime.consent.repository import ConsentRepository
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.store.database import Database

from .conftest import NOTICE


def test_the_repository_has_no_way_to_change_or_remove_an_event(database: Database) -> None:
    methods = {name for name in dir(ConsentRepository) if not name.startswith("__")}
    assert not {m for m in methods if any(word in m for word in ("update", "delete", "remove", "edit"))}
    assert "append" in methods


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consent_events SET kind = 'given'",
        "UPDATE consent_events SET purpose = 'marketing-sms' WHERE seq = 1",
        "DELETE FROM consent_events",
        "TRUNCATE consent_events",
    ],
)
def test_the_database_rejects_rewriting_the_ledger(
    database: Database, ledger: ConsentLedger, statement: str
) -> None:
    if database.dialect == "sqlite" and statement.startswith("TRUNCATE"):
        statement = "DELETE FROM consent_events WHERE 1 = 1"  # SQLite's way to empty a table
    ledger.register_subject("u1")
    ledger.give("u1", "marketing-sms", notice_id=NOTICE, notice_version="2024-01")
    ledger.withdraw("u1", "marketing-sms")
    before = ledger.events()
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))
    assert ledger.events() == before
