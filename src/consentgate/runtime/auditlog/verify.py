"""Walks a tenant's chain in seq order and names the first place it stops proving what was written.

The walk is a pure function of the records, the head and a lookup by hash, so every kind of
tampering can be tested without a database; `verify_chain` feeds it from one consistent snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from consentgate.i18n import message
from consentgate.runtime.auditlog.chain import GENESIS_HASH, record_hash
from consentgate.runtime.auditlog.repository import AuditRepository, Head, StoredRecord
from consentgate.runtime.auditlog.schemas import Problem, VerifyReport
from consentgate.store.database import Database

FindByHash = Callable[[str], StoredRecord | None]

# How many moved predecessors we follow to find where a moved record belongs before giving up
# (and calling it modified): swapping a few records is tampering a person does by hand.
_MAX_HOPS = 256


def indexed_ref(payload: str) -> str | None:
    """What `subject_ref` must hold: the payload's top-level `subject_ref` when it is a string.

    The column is a pure function of the hashed payload, so checking it both ways binds it to the
    hash as firmly as hashing it would, with no re-hash of old records. Parsed only when the key
    appears at all (most decisions carry it; nested ones, as in `consent.recorded`, need the parse).
    """
    if '"subject_ref":' not in payload:
        return None
    try:
        parsed = json.loads(payload)
    except ValueError:
        return None
    ref = parsed.get("subject_ref") if isinstance(parsed, dict) else None
    return ref if isinstance(ref, str) else None


def _intact_at(record: StoredRecord, seq: int) -> bool:
    """Whether the record's stored hash is the hash of its own content placed at `seq`."""
    own = record_hash(record.prev_hash, seq, record.record_id, record.kind, record.payload, record.created_at)
    return own == record.hash


def original_seq(record: StoredRecord, find: FindByHash) -> int | None:
    """Where a record whose content no longer hashes at its seq was written, judged by its links.

    Follows `prev_hash` back to a predecessor that still sits where it was written (or to genesis)
    and counts the hops. The answer is only a candidate: the caller checks the hash there.
    """
    current, hops = record, 1
    for _ in range(_MAX_HOPS):
        if current.prev_hash == GENESIS_HASH:
            return hops
        predecessor = find(current.prev_hash)
        if predecessor is None:
            return None
        if _intact_at(predecessor, predecessor.seq):
            return predecessor.seq + hops
        current, hops = predecessor, hops + 1
    return None


def _check_record(record: StoredRecord, expected: int, prev_hash: str, find: FindByHash) -> Problem | None:
    if record.seq > expected:
        detail = message("auditlog.problem.deleted", seq=expected, next_seq=record.seq)
        return Problem(kind="deleted", seq=expected, record_id=None, detail=detail)
    if record.seq < expected:
        detail = message("auditlog.problem.out_of_range", seq=record.seq, record_id=record.record_id)
        return Problem(kind="reordered", seq=record.seq, record_id=record.record_id, detail=detail)
    if not _intact_at(record, record.seq):
        moved_from = original_seq(record, find)
        if moved_from is not None and moved_from != record.seq and _intact_at(record, moved_from):
            detail = message(
                "auditlog.problem.moved", seq=record.seq, record_id=record.record_id, original=moved_from
            )
            return Problem(kind="reordered", seq=record.seq, record_id=record.record_id, detail=detail)
        detail = message("auditlog.problem.modified", seq=record.seq, record_id=record.record_id)
        return Problem(kind="modified", seq=record.seq, record_id=record.record_id, detail=detail)
    if record.prev_hash != prev_hash:
        detail = message("auditlog.problem.relinked", seq=record.seq, record_id=record.record_id)
        return Problem(kind="reordered", seq=record.seq, record_id=record.record_id, detail=detail)
    if record.subject_ref != indexed_ref(record.payload):
        # The index column lies about whom the record concerns (a copy or a deletion proof would
        # miss or misfile it). Checked whether set or not: NULL where the payload names someone hides
        # the record from that person's copy.
        detail = message("auditlog.problem.misindexed", seq=record.seq, record_id=record.record_id)
        return Problem(kind="modified", seq=record.seq, record_id=record.record_id, detail=detail)
    return None


def _check_head(
    head: Head | None, last: StoredRecord | None, beyond_head: StoredRecord | None
) -> Problem | None:
    last_seq = 0 if last is None else last.seq
    if head is None:
        if last is None:
            return None
        detail = message("auditlog.problem.head_missing", count=last_seq)
        return Problem(kind="head-mismatch", seq=last_seq, record_id=last.record_id, detail=detail)
    if head.seq > last_seq:
        detail = message("auditlog.problem.truncated", head_seq=head.seq, last_seq=last_seq)
        return Problem(kind="head-mismatch", seq=last_seq + 1, record_id=None, detail=detail)
    if head.seq < last_seq:
        extra_id = None if beyond_head is None else beyond_head.record_id
        detail = message("auditlog.problem.beyond_head", seq=head.seq + 1, head_seq=head.seq)
        return Problem(kind="head-mismatch", seq=head.seq + 1, record_id=extra_id, detail=detail)
    last_hash = GENESIS_HASH if last is None else last.hash
    if head.hash != last_hash:
        detail = message("auditlog.problem.head_hash", seq=head.seq)
        return Problem(
            kind="head-mismatch",
            seq=head.seq,
            record_id=None if last is None else last.record_id,
            detail=detail,
        )
    return None


def check_chain(
    records: Iterable[StoredRecord],
    head: Head | None,
    find: FindByHash,
    seen: Callable[[StoredRecord], None] | None = None,
) -> VerifyReport:
    """The first problem in seq order: a gap, a record moved or modified, a broken link, a wrong head.

    `seen` is handed every record that verified (the ledger check collects what the chain binds)."""
    expected, prev_hash, checked = 1, GENESIS_HASH, 0
    last: StoredRecord | None = None
    beyond_head: StoredRecord | None = None
    for record in records:
        problem = _check_record(record, expected, prev_hash, find)
        if problem is not None:
            return VerifyReport(ok=False, records_checked=checked, problem=problem)
        if head is not None and record.seq == head.seq + 1:
            beyond_head = record
        if seen is not None:
            seen(record)
        checked, expected, prev_hash, last = checked + 1, expected + 1, record.hash, record
    problem = _check_head(head, last, beyond_head)
    return VerifyReport(ok=problem is None, records_checked=checked, problem=problem)


def verify_chain(db: Database, tenant: str) -> VerifyReport:
    """Verifies one tenant's chain from one snapshot, streaming the records (the log can be big).

    PostgreSQL reads at REPEATABLE READ so that head and records agree while writers go on; SQLite's
    transaction holds the database lock, so writers wait until the walk ends.
    """
    repo = AuditRepository(tenant)
    with db.reading() as session:
        if db.dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        head = repo.read_head(session)
        records = repo.stream(session)
        try:
            return check_chain(records, head, lambda wanted: repo.by_hash(session, wanted))
        finally:
            records.close()  # an early stop closes the cursor now, while its connection is still ours
