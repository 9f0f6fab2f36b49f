"""The chain as stored: changes and decision batches verify, hashes follow the spec, tenants are apart."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from consentgate.runtime.auditlog.schemas import DECISION_KIND
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.store.database import Database
from tests.runtime.auditlog.conftest import MakeLog, write_changes
from tests.runtime.auditlog.guards import unguarded
from tests.runtime.conftest import TENANT


def test_chain_verifies_after_changes_and_decision_batches(database: Database, make_log: MakeLog) -> None:
    log = make_log(batch_size=4, flush_interval=60)
    write_changes(database, log, 3)
    for n in range(10):
        log.record_decision({"subject": f"user-{n}", "purpose": "personalized-push", "allowed": True})
    assert log.flush() == 10
    write_changes(database, log, 2, kind="notice.published")

    report = log.verify()
    assert report.ok, report.problem
    assert report.records_checked == 15
    records = log.records()
    assert [r.seq for r in records] == list(range(1, 16))
    assert [r.kind for r in records[3:13]] == [DECISION_KIND] * 10
    # Nobody registered "user-0": the record keeps what happened and names no one.
    assert records[3].payload == {
        "subject_ref": None,
        "purpose": "personalized-push",
        "allowed": True,
        "decided_at": "2026-01-05T09:00:00.000000Z",
    }


def test_each_hash_is_sha256_over_prev_hash_and_canonical_json(database: Database, make_log: MakeLog) -> None:
    """Recomputed here with hashlib and json only, as an outside auditor would."""
    log = make_log()
    write_changes(database, log, 2)
    log.record_decision({"z": 1, "a": "数据"})
    log.flush()
    prev = "0" * 64
    for record in log.records():
        content = json.dumps(
            {
                "seq": record.seq,
                "id": record.record_id,
                "kind": record.kind,
                "payload": record.payload,
                "created_at": record.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert record.prev_hash == prev
        assert record.hash == hashlib.sha256((prev + content).encode("utf-8")).hexdigest()
        prev = record.hash


def test_payload_is_stored_as_the_canonical_text_that_was_hashed(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log()
    with database.transaction() as session:
        log.record_change(session, "profile.set", {"b": 1e16, "a": "职业"})
    with database.reading() as session:
        stored = session.execute(text("SELECT payload FROM audit_records")).scalar_one()
    assert stored == '{"a":"职业","b":1e+16}'
    assert log.verify().ok


def test_tenants_have_independent_chains(database: Database, make_log: MakeLog) -> None:
    school, shop = make_log("school"), make_log("shop")
    write_changes(database, school, 3)
    write_changes(database, shop, 2)
    assert [r.seq for r in school.records()] == [1, 2, 3]
    assert [r.seq for r in shop.records()] == [1, 2]
    assert {r.record_id.split("-")[0] for r in shop.records()} == {"shop"}

    with database.engine.begin() as connection, unguarded(connection):
        connection.execute(text("DELETE FROM audit_records WHERE tenant_id = 'school' AND seq = 2"))
    assert not school.verify().ok
    assert shop.verify().ok


def test_a_change_rolled_back_leaves_no_audit_record(database: Database, make_log: MakeLog) -> None:
    log = make_log()
    write_changes(database, log, 1)
    with pytest.raises(RuntimeError), database.transaction() as session:
        log.record_change(session, "consent.given", {"subject": "user-9"})
        raise RuntimeError("the change failed after its audit record was appended")
    assert [r.seq for r in log.records()] == [1]
    write_changes(database, log, 1)
    assert [r.seq for r in log.records()] == [1, 2]
    assert log.verify().ok


def test_an_unserializable_payload_fails_the_change_not_the_chain(
    database: Database, make_log: MakeLog
) -> None:
    log = make_log()
    with pytest.raises(TypeError), database.transaction() as session:
        log.record_change(session, "consent.given", {"bad": object()})
    assert log.records() == []
    assert log.verify().ok


def test_an_unserializable_decision_still_leaves_a_record(database: Database, make_log: MakeLog) -> None:
    log = make_log()
    log.record_decision({"bad": object()})
    log.record_decision({"good": True})
    assert log.flush() == 2
    first, second = log.records()
    assert first.payload["unserializable_payload"] is True
    assert second.payload == {"good": True, "decided_at": "2026-01-05T09:00:00.000000Z"}
    assert log.verify().ok


def test_an_empty_log_verifies(database: Database, make_log: MakeLog) -> None:
    report = make_log().verify()
    assert report.ok and report.records_checked == 0 and report.problem is None


def test_the_chain_names_people_by_their_ref_never_by_their_id(
    database: Database, make_log: MakeLog, ledger: ConsentLedger
) -> None:
    """So that deleting a person's `subjects` row leaves the chain intact and linked to no one."""
    ledger.register_subjects(["alice", "bob"])
    log = make_log(tenant=TENANT)
    with database.transaction() as session:
        log.record_change(
            session,
            "example",
            {"subject": "alice", "nested": [{"owner": "bob"}], "subjects": ["alice", "mallory"]},
        )
    log.record_decision({"subject": "bob", "purpose": "p"})
    log.flush()

    change, decision = [r for r in log.records() if r.kind in {"example", DECISION_KIND}]
    alice, bob = ledger.ref("alice"), ledger.ref("bob")
    assert change.payload == {
        "subject_ref": alice,
        "nested": [{"owner_ref": bob}],
        "subject_refs": [alice, None],  # mallory was never registered
    }
    assert decision.payload == {
        "subject_ref": bob,
        "purpose": "p",
        "decided_at": "2026-01-05T09:00:00.000000Z",
    }
    with database.reading() as session:
        stored = " ".join(session.scalars(text("SELECT payload FROM audit_records")))
    assert "alice" not in stored and "bob" not in stored
    assert log.verify().ok
