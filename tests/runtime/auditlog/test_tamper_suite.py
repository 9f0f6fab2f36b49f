"""The tamper suite: every single-row change (each column), insert, delete, reorder, truncation and
whole-chain deletion on the ledger, the projection, the chain and its head — each must be detected.

Each case tampers inside one transaction with the guards lifted (as a database owner could), runs the
verification that `consentgate auditlog verify` runs in that same transaction, and rolls back, so
every case starts from the same intact world. The count detected / tried is printed (run with `-s`)
and the test fails naming every case that was missed. Cases marked `anchor` are the ones only a
signed anchor can catch (the chain and head rewritten consistently); they are checked against an
anchor taken before the tampering, the others without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from consentgate.runtime.auditlog.anchor import Anchor, read_heads, sign
from consentgate.runtime.auditlog.chain import GENESIS_HASH, record_hash
from consentgate.runtime.auditlog.integrity import check_anchor_in, verify_in, verify_tenant
from consentgate.runtime.auditlog.models import AuditHeadRow, AuditRecordRow
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.runtime.consent.schemas import Evidence
from consentgate.runtime.consent.service import ConsentLedger
from consentgate.runtime.consent.tables import EVENTS, STATE
from consentgate.store.database import Database
from tests.runtime.auditlog.guards import unguarded
from tests.runtime.conftest import NOTICE, TENANT, TEST_KEYS

PUSH = "personalized-push"
Sql = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    table: str
    what: str
    statements: tuple[Sql, ...]
    anchor: bool = False  # only an anchor can show it


@dataclass
class World:
    """Ids of the rows the cases aim at, read once from the intact world."""

    dialect: str
    events: list[Any] = field(default_factory=list)  # (seq, event_id, subject_ref) in seq order
    records: list[Any] = field(default_factory=list)  # (seq, kind, subject_ref, hash) in seq order
    states: list[Any] = field(default_factory=list)  # (subject, purpose, recipient, event_id)

    def json(self, param: str) -> str:
        return f"CAST(:{param} AS jsonb)" if self.dialect == "postgresql" else f":{param}"


@pytest.fixture
def world(database: Database, ledger: ConsentLedger, audit: AuditLog) -> World:
    for subject in ("u1", "u2", "u3"):
        ledger.register_subject(subject)
    evidence = Evidence(screen_id="questionnaire", locale="zh-CN", user_agent="微信/8.0", ip_hash="k:1")
    ledger.give(
        "u1", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["occupation"], evidence=evidence
    )
    ledger.give("u2", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["occupation"])
    ledger.withdraw("u2", PUSH)
    ledger.give("u3", PUSH, notice_id=NOTICE, notice_version="2024-01", data=["learning-goal"], channel="app")
    for subject in ("u1", "u3"):
        audit.record_decision({"subject": subject, "purpose": PUSH, "data": ["occupation"]})
    audit.flush()
    report = verify_tenant(database, TENANT)
    assert report.ok, report
    assert report.events_checked == 4 and report.rows_checked == 3
    found = World(database.dialect)
    with database.reading() as session:
        found.events = list(
            session.execute(text("SELECT seq, event_id, subject_ref FROM consent_events ORDER BY seq"))
        )
        found.records = list(
            session.execute(
                text(
                    "SELECT seq, kind, subject_ref, hash FROM audit_records WHERE tenant_id = :t ORDER BY seq"
                ),
                {"t": TENANT},
            )
        )
        found.states = list(
            session.execute(
                text("SELECT subject, purpose, recipient, event_id FROM consent_state ORDER BY subject")
            )
        )
    return found


def _anchor(database: Database) -> Anchor:
    with database.reading() as session:
        return sign(read_heads(session), TEST_KEYS, datetime(2026, 12, 4, tzinfo=UTC))


# ------------------------------------------------------------------ the cases, table by table

_NEW_TEXT = "forged"
_STAMP = "2020-01-01 00:00:00.000000"


def _event_cases(w: World) -> Iterator[Case]:
    withdraw_seq = w.events[2].seq  # u2's withdrawal: the row the probe's attack would forge over
    other_ref = w.events[0].subject_ref
    values: dict[str, tuple[str, Any]] = {
        "tenant_id": (":v", "other-tenant"),
        "seq": (":v", w.events[-1].seq + 50),
        "event_id": (":v", "forged-event"),
        "subject_ref": (":v", other_ref),
        "purpose": (":v", "marketing-sms"),
        "kind": (":v", "given"),
        "data": (w.json("v"), '["phone"]'),
        "recipient": (":v", "affiliate-app-a"),
        "notice_id": (":v", "other-notice"),
        "notice_version": (":v", "1999-01"),
        "mechanism": (":v", "default"),
        "channel": (":v", "forged-channel"),
        "evidence": (w.json("v"), '{"locale": "xx"}'),
        "occurred_at": (":v", _STAMP),
    }
    assert set(values) == {c.name for c in EVENTS.c}, "a ledger column the suite does not tamper with"
    for column, (placeholder, value) in values.items():
        sql = f"UPDATE consent_events SET {column} = {placeholder} WHERE seq = :s"
        yield Case("consent_events", f"update {column}", ((sql, {"v": value, "s": withdraw_seq}),))
    columns = ", ".join(c.name for c in EVENTS.c if c.name not in {"seq", "event_id", "kind"})
    forged = (
        f"INSERT INTO consent_events (event_id, kind, {columns}) "
        f"SELECT 'forged-event', 'given', {columns} FROM consent_events WHERE seq = :s"
    )
    yield Case("consent_events", "insert a 'given' after the withdrawal", ((forged, {"s": withdraw_seq}),))
    yield Case(
        "consent_events", "delete", (("DELETE FROM consent_events WHERE seq = :s", {"s": withdraw_seq}),)
    )
    first, second = w.events[1].seq, w.events[2].seq
    yield Case(
        "consent_events",
        "reorder (swap two seqs)",
        (
            ("UPDATE consent_events SET seq = -1 WHERE seq = :a", {"a": first}),
            ("UPDATE consent_events SET seq = :a WHERE seq = :b", {"a": first, "b": second}),
            ("UPDATE consent_events SET seq = :b WHERE seq = -1", {"b": second}),
        ),
    )
    last = w.events[-1].seq
    yield Case(
        "consent_events", "truncate the newest", (("DELETE FROM consent_events WHERE seq = :s", {"s": last}),)
    )
    yield Case("consent_events", "delete the whole ledger", (("DELETE FROM consent_events", {}),))


def _state_cases(w: World) -> Iterator[Case]:
    where = "subject = 'u2' AND purpose = :p"
    values: dict[str, tuple[str, Any]] = {
        "tenant_id": (":v", "other-tenant"),
        "subject": (":v", "u9"),
        "purpose": (":v", "marketing-sms"),
        "recipient": (":v", "affiliate-app-a"),
        "status": (":v", "given"),  # the probe's attack: a withdrawal overturned
        "event_id": (":v", w.states[0].event_id),
        "notice_id": (":v", "other-notice"),
        "notice_version": (":v", "1999-01"),
        "data": (w.json("v"), '["phone"]'),
        "mechanism": (":v", "default"),
        "updated_at": (":v", _STAMP),
    }
    assert set(values) == {c.name for c in STATE.c}, "a projection column the suite does not tamper with"
    for column, (placeholder, value) in values.items():
        sql = f"UPDATE consent_state SET {column} = {placeholder} WHERE {where}"
        yield Case("consent_state", f"update {column}", ((sql, {"v": value, "p": PUSH}),))
    columns = ", ".join(c.name for c in STATE.c if c.name != "purpose")
    forged = (
        f"INSERT INTO consent_state (purpose, {columns}) "
        f"SELECT 'marketing-sms', {columns} FROM consent_state WHERE subject = 'u1'"
    )
    yield Case("consent_state", "insert", ((forged, {}),))
    yield Case("consent_state", "delete", (("DELETE FROM consent_state WHERE subject = 'u1'", {}),))
    one, three = w.states[0].event_id, w.states[2].event_id
    yield Case(
        "consent_state",
        "reorder (swap the events two rows rest on)",
        (
            ("UPDATE consent_state SET event_id = :b WHERE subject = 'u1'", {"b": three}),
            ("UPDATE consent_state SET event_id = :a WHERE subject = 'u3'", {"a": one}),
        ),
    )
    yield Case("consent_state", "delete the whole projection", (("DELETE FROM consent_state", {}),))


def _record_cases(w: World) -> Iterator[Case]:
    named = next(r for r in w.records if r.subject_ref is not None)  # a decision about u1
    unnamed = next(r for r in w.records if r.subject_ref is None)
    top = w.records[-1]
    at = "tenant_id = :t AND seq = :s"
    values: dict[str, Any] = {
        "tenant_id": "other-tenant",
        "seq": top.seq + 50,
        "record_id": "forged-record",
        "kind": "consent.forged",
        "payload": '{"forged":true}',
        "created_at": _STAMP,
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
        "subject_ref": None,  # the probe's attack: the record hidden from the person's copy
    }
    assert set(values) == {c.name for c in AuditRecordRow.__table__.c}, "a chain column the suite skips"
    for column, value in values.items():
        sql = f"UPDATE audit_records SET {column} = :v WHERE {at}"
        yield Case("audit_records", f"update {column}", ((sql, {"v": value, "t": TENANT, "s": named.seq}),))
    yield Case(
        "audit_records",
        "update subject_ref where the payload names no one",
        (
            (
                f"UPDATE audit_records SET subject_ref = :v WHERE {at}",
                {"v": "a" * 32, "t": TENANT, "s": unnamed.seq},
            ),
        ),
    )
    seq = top.seq + 1
    payload = '{"allowed":true,"decided_at":"2026-01-01T00:00:00.000000Z"}'
    created = "2026-01-01T00:00:00.000000Z"
    link = record_hash(top.hash, seq, "forged-record", "decision", payload, created)
    insert = (
        "INSERT INTO audit_records (tenant_id, seq, record_id, kind, payload, created_at, prev_hash, hash) "
        "VALUES (:t, :s, 'forged-record', 'decision', :p, :c, :prev, :h)"
    )
    values_ = {
        "t": TENANT,
        "s": seq,
        "p": payload,
        "c": "2026-01-01 00:00:00.000000",
        "prev": top.hash,
        "h": link,
    }
    yield Case("audit_records", "insert a linked record behind the head", ((insert, values_),))
    recorded = next(r for r in w.records if r.kind == "consent.recorded")
    fake_events = '{"events":[{"event_id":"ghost","seq":999}]}'
    ghost_link = record_hash(top.hash, seq, "forged-record", "consent.recorded", fake_events, created)
    ghost = {**values_, "p": fake_events, "h": ghost_link}
    yield Case(
        "audit_records",
        "insert a linked consent record and move the head",
        (
            (insert.replace("'decision'", "'consent.recorded'"), ghost),
            (
                "UPDATE audit_heads SET seq = :s, hash = :h WHERE tenant_id = :t",
                {"s": seq, "h": ghost_link, "t": TENANT},
            ),
        ),
    )
    middle = w.records[len(w.records) // 2].seq
    yield Case(
        "audit_records", "delete", (("DELETE FROM audit_records WHERE " + at, {"t": TENANT, "s": middle}),)
    )
    yield Case(
        "audit_records",
        "reorder (swap two seqs)",
        (
            (f"UPDATE audit_records SET seq = -1 WHERE {at}", {"t": TENANT, "s": recorded.seq}),
            (
                f"UPDATE audit_records SET seq = :a WHERE {at}",
                {"a": recorded.seq, "t": TENANT, "s": recorded.seq + 1},
            ),
            (f"UPDATE audit_records SET seq = :b WHERE {at}", {"b": recorded.seq + 1, "t": TENANT, "s": -1}),
        ),
    )
    yield Case(
        "audit_records",
        "truncate the newest",
        ((f"DELETE FROM audit_records WHERE {at}", {"t": TENANT, "s": top.seq}),),
    )
    before = w.records[-2]
    yield Case(
        "audit_records",
        "truncate the newest and roll the head back with it",
        (
            (f"DELETE FROM audit_records WHERE {at}", {"t": TENANT, "s": top.seq}),
            (
                "UPDATE audit_heads SET seq = :s, hash = :h WHERE tenant_id = :t",
                {"s": before.seq, "h": before.hash, "t": TENANT},
            ),
        ),
        anchor=True,
    )
    everything = (
        ("DELETE FROM audit_records WHERE tenant_id = :t", {"t": TENANT}),
        ("DELETE FROM audit_heads WHERE tenant_id = :t", {"t": TENANT}),
    )
    yield Case("audit_records", "delete the whole chain and its head", everything)
    yield Case(
        "audit_records",
        "delete the whole chain, its head and the ledger",
        (*everything, ("DELETE FROM consent_events", {}), ("DELETE FROM consent_state", {})),
        anchor=True,
    )


def _head_cases(w: World) -> Iterator[Case]:
    top = w.records[-1]
    values: dict[str, Any] = {"tenant_id": "other-tenant", "seq": top.seq - 1, "hash": "f" * 64}
    assert set(values) == {c.name for c in AuditHeadRow.__table__.c}, "a head column the suite skips"
    for column, value in values.items():
        sql = f"UPDATE audit_heads SET {column} = :v WHERE tenant_id = :t"
        yield Case("audit_heads", f"update {column}", ((sql, {"v": value, "t": TENANT}),))
    yield Case("audit_heads", "delete", (("DELETE FROM audit_heads WHERE tenant_id = :t", {"t": TENANT}),))
    yield Case(
        "audit_heads",
        "replace by a head at genesis",
        (
            ("DELETE FROM audit_heads WHERE tenant_id = :t", {"t": TENANT}),
            (
                "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (:t, 0, :g)",
                {"t": TENANT, "g": GENESIS_HASH},
            ),
        ),
    )


CASES: tuple[Callable[[World], Iterator[Case]], ...] = (
    _event_cases,
    _state_cases,
    _record_cases,
    _head_cases,
)


def _detected(database: Database, case: Case, anchor: Anchor) -> bool:
    with database.engine.connect() as connection:
        transaction = connection.begin()
        try:
            _tamper(connection, case)
            with Session(bind=connection) as session:
                report = verify_in(session, TENANT, dialect=database.dialect)
                anchored = check_anchor_in(session, anchor, TEST_KEYS) if case.anchor else []
            if case.anchor:
                return bool(anchored)
            for finding in report.findings:
                assert finding.detail.zh and finding.detail.en and finding.row
            return not report.ok
        finally:
            transaction.rollback()


def _tamper(connection: Connection, case: Case) -> None:
    with unguarded(connection):
        for sql, values in case.statements:
            connection.execute(text(sql), values)


def test_every_tampering_of_ledger_projection_chain_and_head_is_detected(
    database: Database, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor = _anchor(database)
    cases = [case for make in CASES for case in make(world)]
    missed = [f"{c.table}: {c.what}" for c in cases if not _detected(database, c, anchor)]
    with capsys.disabled():
        print(f"\ntamper suite ({database.dialect}): detected {len(cases) - len(missed)} / {len(cases)}")
    assert not missed, f"undetected on {database.dialect}: {missed}"
    assert verify_tenant(database, TENANT).ok  # every case was rolled back


def test_the_anchor_cases_pass_verification_without_the_anchor(database: Database, world: World) -> None:
    """What the anchor is for: a consistent truncation and a whole deletion of chain and ledger leave a
    database that verifies on its own."""
    anchored = [c for make in CASES for c in make(world) if c.anchor]
    assert anchored
    for case in anchored:
        with database.engine.connect() as connection:
            transaction = connection.begin()
            try:
                _tamper(connection, case)
                with Session(bind=connection) as session:
                    assert verify_in(session, TENANT, dialect=database.dialect).ok, case.what
            finally:
                transaction.rollback()
