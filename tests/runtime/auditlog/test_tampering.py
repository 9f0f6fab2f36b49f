"""Tampering by raw SQL, as a database administrator could: each is named with its kind and seq."""

from __future__ import annotations

from sqlalchemy import text

from consentgate.runtime.auditlog.chain import record_hash
from consentgate.runtime.auditlog.schemas import VerifyReport
from consentgate.runtime.auditlog.service import AuditLog
from consentgate.store.database import Database
from tests.runtime.auditlog.conftest import MakeLog, write_changes
from tests.runtime.auditlog.guards import unguarded


def _chain(database: Database, make_log: MakeLog, count: int = 6) -> AuditLog:
    log = make_log()
    write_changes(database, log, count // 2)
    for n in range(count - count // 2):
        log.record_decision({"decision": n})
    log.flush()
    assert log.verify().ok
    return log


def _sql(database: Database, *statements: str, **values: str) -> None:
    with database.engine.begin() as connection, unguarded(connection):
        for statement in statements:
            connection.execute(text(statement), values)


def _problem(report: VerifyReport) -> tuple[str, int, str | None]:
    assert not report.ok and report.problem is not None
    assert report.problem.detail.zh and report.problem.detail.en
    return report.problem.kind, report.problem.seq, report.problem.record_id


def test_a_modified_payload_is_named_modified_at_its_seq(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    _sql(database, "UPDATE audit_records SET payload = :forged WHERE seq = 5", forged='{"decision":99}')
    report = log.verify()
    assert _problem(report) == ("modified", 5, log_id(database, 5))
    assert report.records_checked == 4


def test_a_modified_time_is_named_modified(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    _sql(database, "UPDATE audit_records SET created_at = '2020-01-01 00:00:00' WHERE seq = 2")
    assert _problem(log.verify())[:2] == ("modified", 2)


def test_a_deleted_middle_record_is_named_deleted_at_the_missing_seq(
    database: Database, make_log: MakeLog
) -> None:
    log = _chain(database, make_log)
    _sql(database, "DELETE FROM audit_records WHERE seq = 3")
    report = log.verify()
    assert _problem(report) == ("deleted", 3, None)
    assert report.problem is not None and "seq 3" in report.problem.detail.en


def test_swapping_two_records_seq_is_named_reordered(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    moved = log_id(database, 4)
    _sql(
        database,
        "UPDATE audit_records SET seq = -1 WHERE seq = 2",
        "UPDATE audit_records SET seq = 2 WHERE seq = 4",
        "UPDATE audit_records SET seq = 4 WHERE seq = -1",
    )
    report = log.verify()
    assert _problem(report) == ("reordered", 2, moved)
    assert report.problem is not None and "4" in report.problem.detail.en


def test_swapping_neighbours_is_named_reordered(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    _sql(
        database,
        "UPDATE audit_records SET seq = -1 WHERE seq = 3",
        "UPDATE audit_records SET seq = 3 WHERE seq = 4",
        "UPDATE audit_records SET seq = 4 WHERE seq = -1",
    )
    assert _problem(log.verify())[:2] == ("reordered", 3)


def test_a_forged_record_with_a_recomputed_hash_breaks_the_next_link(
    database: Database, make_log: MakeLog
) -> None:
    """Rewriting a record and its own hash consistently still shows: the next record no longer links."""
    log = _chain(database, make_log)
    third = log.records()[2]
    forged = '{"n":0,"subject":"someone-else"}'
    new_hash = record_hash(third.prev_hash, 3, third.record_id, third.kind, forged, third.created_at)
    _sql(
        database,
        "UPDATE audit_records SET payload = :forged, hash = :hash WHERE seq = 3",
        forged=forged,
        hash=new_hash,
    )
    assert _problem(log.verify())[:2] == ("reordered", 4)


def test_a_deleted_last_record_is_named_head_mismatch(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    _sql(database, "DELETE FROM audit_records WHERE seq = 6")
    report = log.verify()
    assert _problem(report) == ("head-mismatch", 6, None)
    assert report.records_checked == 5


def test_a_record_appended_behind_the_heads_back_is_named_head_mismatch(
    database: Database, make_log: MakeLog
) -> None:
    log = _chain(database, make_log)
    sixth = log_id(database, 6)
    fifth_hash = log.records()[4].hash
    _sql(database, f"UPDATE audit_heads SET seq = 5, hash = '{fifth_hash}'")
    assert _problem(log.verify()) == ("head-mismatch", 6, sixth)


def test_the_first_problem_wins(database: Database, make_log: MakeLog) -> None:
    log = _chain(database, make_log)
    _sql(
        database,
        "DELETE FROM audit_records WHERE seq = 6",
        """UPDATE audit_records SET kind = 'consent.refused' WHERE seq = 2""",
    )
    assert _problem(log.verify())[:2] == ("modified", 2)


def log_id(database: Database, seq: int) -> str:
    with database.reading() as session:
        return str(
            session.execute(text(f"SELECT record_id FROM audit_records WHERE seq = {seq}")).scalar_one()
        )


def test_a_subject_ref_column_that_no_longer_matches_its_payload_is_named_modified(
    database: Database, make_log: MakeLog
) -> None:
    """The column only indexes the payload; pointing it at someone else would misfile a person's copy."""
    log = make_log()
    log.record_decision({"subject_ref": "a" * 32, "purpose": "p"})  # already a ref: nobody to look up
    log.flush()
    assert log.verify().ok and log.records_naming("a" * 32)[0].seq == 1
    _sql(database, "UPDATE audit_records SET subject_ref = :other WHERE seq = 1", other="b" * 32)
    assert _problem(log.verify())[:2] == ("modified", 1)
