"""The audit log service: changes chained in the caller's transaction, decisions chained in batches.

Changes (consent events, notice publications, profile writes) are rare and must never be
acknowledged without their record, so `record_change` appends inside the transaction that makes
the change. Decisions that release data come from the gate's hot path at up to millions per second,
so `record_decision` only stamps the decision's time and appends to a bounded deque; the process's
one flusher thread (`_flusher.py`) hashes and writes them in batches. A full buffer pushes back:
the caller waits for room, then gets `DecisionNotRecorded` (the gate denies). docs/auditlog.md
states exactly what a crash can lose.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.runtime.auditlog._flusher import REGISTRY
from consentgate.runtime.auditlog.chain import as_utc, payload_json, record_hash, timestamp_text
from consentgate.runtime.auditlog.errors import DecisionNotRecorded
from consentgate.runtime.auditlog.pseudonyms import people_in, pseudonymize
from consentgate.runtime.auditlog.repository import AuditRepository, Head, StoredRecord
from consentgate.runtime.auditlog.schemas import DECIDED_AT, DECISION_KIND, AuditRecord, VerifyReport
from consentgate.runtime.auditlog.verify import verify_chain
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

# The flusher looks at the buffer this often (at most): a full batch waits no longer than this.
_MAX_POLL = 0.01


# A buffered decision: its payload (never copied: the gate hands the same cached dict each time) and
# the moment it was decided. The buffer holds the two flat, one after the other: a tuple per decision
# would be one more object for the garbage collector to walk, which made the hot path 3x slower.
_Entry = tuple[Mapping[str, Any], datetime]


class AuditLog:
    """One tenant's hash-chained audit log."""

    def __init__(
        self,
        db: Database,
        *,
        tenant: str,
        clock: Clock,
        ids: IdFactory,
        batch_size: int = 1000,
        flush_interval: float = 0.25,
        max_pending: int = 100_000,
        room_timeout: float = 0.25,  # the service decides on its event loop: a wait there stalls it
    ) -> None:
        if batch_size < 1 or flush_interval <= 0 or max_pending < 1 or room_timeout < 0:
            raise ValueError("batch_size, max_pending >= 1, flush_interval > 0 and room_timeout >= 0")
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._repo = AuditRepository(tenant)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._max_pending = max_pending
        self.room_timeout = room_timeout
        # payload, decided_at, payload, decided_at, … — `extend` of a 2-tuple is one C call under the
        # GIL, so concurrent callers never interleave halves.
        self._buffer: deque[Any] = deque()
        # What the hot path compares the buffer's length with: `max_pending`, or 0 once closed, so
        # a closed log refuses decisions at no cost to the open one.
        self._limit = 2 * max_pending
        self._room = threading.Condition()  # notified whenever a batch commits (or fails, or the log closes)
        self._flush_lock = threading.Lock()  # one flusher at a time keeps this process's batches in order
        self._ids_lock = threading.Lock()  # id factories (e.g. the test fakes) need not be thread-safe
        self._in_flight = 0  # taken from the buffer, not yet committed
        self._last_flush = time.monotonic()
        self._retry_at = 0.0
        self._failing = False  # the last flush failed: callers facing a full buffer need not wait
        self._closed = False
        REGISTRY.register(self)

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def pending(self) -> int:
        """Decisions waiting in memory: exactly what a crash right now would lose."""
        return len(self._buffer) // 2 + self._in_flight

    @property
    def max_pending(self) -> int:
        """How many decisions may wait in memory before `record_decision` pushes back."""
        return self._max_pending

    @max_pending.setter
    def max_pending(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("max_pending must be >= 1")
        self._max_pending = limit
        if not self._closed:
            self._limit = 2 * limit
        with self._room:
            self._room.notify_all()  # a raised limit is room

    @property
    def poll(self) -> float:
        """How often the shared flusher looks at this log: a full batch waits no longer than this."""
        return min(self.flush_interval, _MAX_POLL)

    def record_change(self, session: Session, kind: str, payload: Mapping[str, Any]) -> None:
        """Appends to the tenant's hash chain INSIDE the caller's transaction (commits with the change).

        The chain head stays locked until that transaction ends, so call this last in it.
        """
        self.record_changes(session, [(kind, payload)])

    def record_changes(self, session: Session, changes: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """`record_change` for many changes of one transaction: one people lookup, one head lock, one
        insert — what lets a batch of erasures cost a few statements instead of a few per person."""
        if not changes:
            return
        people: set[str] = set()
        for _, payload in changes:
            people |= people_in(payload)
        refs = self._refs(session, people) if people else {}
        named = [(kind, pseudonymize(payload, refs) if people else payload) for kind, payload in changes]
        texts = [
            (kind, payload_json(payload), _ref_of(payload)) for kind, payload in named
        ]  # before the lock
        head = self._repo.lock_head(session)
        now = as_utc(self._clock.now())
        now_text = timestamp_text(now)
        records: list[StoredRecord] = []
        for kind, text, ref in texts:
            record = self._link(head, kind, text, now=now, now_text=now_text, ref=ref)
            records.append(record)
            head = Head(seq=record.seq, hash=record.hash)
        self._repo.append(session, records, head)

    def record_decision(self, payload: Mapping[str, Any]) -> None:
        """Buffers a released-data decision with the time it was made (written as `decided_at`).

        The hot path: a clock read and one deque extend, thread-safe without a lock. When
        `max_pending` decisions already wait, waits up to `room_timeout` for the flusher to make
        room, then raises `DecisionNotRecorded` (at once if the last flush failed or the log is
        closed). The payload must not be mutated afterwards; the flusher serializes it.
        """
        entry = (payload, self._clock.now())
        if len(self._buffer) < self._limit:
            self._buffer.extend(entry)
        else:
            self._wait_for_room(entry)

    def flush(self) -> int:
        """Writes every decision waiting now, one transaction per batch; returns how many were written.

        Only what is waiting when the call starts is written, so a steady stream cannot keep it busy
        forever. A failed batch goes back to the front of the buffer and the error propagates.
        """
        with self._flush_lock:
            waiting, written = len(self._buffer) // 2, 0
            while written < waiting:
                batch = self._take(min(self.batch_size, waiting - written))
                if not batch:
                    break
                self._in_flight = len(batch)
                try:
                    self._write_batch(batch)
                except BaseException:
                    self._buffer.extendleft(reversed([half for entry in batch for half in entry]))
                    self._failing = True
                    raise
                finally:
                    self._in_flight = 0
                    with self._room:
                        self._room.notify_all()  # room now, or a failure that waiters must not wait out
                self._failing = False
                written += len(batch)
            self._last_flush = time.monotonic()
            return written

    def close(self) -> None:
        """Refuses further decisions, leaves the shared flusher and writes what is still waiting."""
        if self._closed:
            return
        self._closed = True
        self._limit = 0
        with self._room:
            self._room.notify_all()
        REGISTRY.unregister(self)
        self.flush()

    def forked(self) -> None:
        """Called in a forked child (by the flusher registry): the parent writes what it buffered, so
        the child starts empty — else both would write those decisions — with fresh locks (the
        parent's flusher may have held them at the fork)."""
        self._buffer.clear()
        self._in_flight = 0
        self._room = threading.Condition()
        self._flush_lock = threading.Lock()
        self._ids_lock = threading.Lock()
        self._failing = False

    def verify(self) -> VerifyReport:
        """Names the first modified, deleted or reordered record, or a head that lost the chain's end."""
        return verify_chain(self._db, self._tenant)

    def records(self, *, after_seq: int = 0, limit: int = 1000) -> list[AuditRecord]:
        """Records in chain order after `after_seq` (a page at a time: the log can be big)."""
        with self._db.reading() as session:
            return self._repo.page(session, after_seq=after_seq, limit=limit)

    def records_naming(self, ref: str, *, kind: str | None = None) -> list[AuditRecord]:
        """The records about the person known by `ref` (of one kind, e.g. decisions), in chain order."""
        with self._db.reading() as session:
            return self._repo.naming(session, ref, kind=kind)

    # -- internals -------------------------------------------------------------------------------

    def _refs(self, session: Session, people: set[str]) -> Mapping[str, str]:
        # Imported here: the ledger's repository is the one owner of the subjects table, and the
        # ledger itself records into this log, so a module-level import would be circular.
        from consentgate.runtime.consent.repository import ConsentRepository

        return ConsentRepository(self._tenant, self._db.dialect).refs(session, people)

    def _wait_for_room(self, entry: _Entry) -> None:
        """The slow path of `record_decision`: the buffer is full."""
        start = time.monotonic()
        deadline = start + self.room_timeout
        with self._room:
            while len(self._buffer) >= self._limit:
                remaining = deadline - time.monotonic()
                why = "closed" if self._closed else "failing" if self._failing else None
                if why is None and remaining <= 0:
                    why = "stalled"
                if why is not None:
                    raise DecisionNotRecorded.from_key(
                        "auditlog.decision_not_recorded",
                        pending=self.pending,
                        limit=self.max_pending,
                        waited=f"{time.monotonic() - start:.2f}",
                        why=message(f"auditlog.why.{why}"),
                    )
                self._room.wait(remaining)
            self._buffer.extend(entry)

    def _take(self, count: int) -> list[_Entry]:
        # Only the flusher pops (under the flush lock) and callers add whole pairs, so pairs stay whole.
        pop = self._buffer.popleft
        batch: list[_Entry] = []
        try:
            for _ in range(min(count, len(self._buffer) // 2)):
                batch.append((pop(), pop()))
        except IndexError:  # only if someone emptied the buffer behind the flusher's back
            pass
        return batch

    def _link(
        self, head: Head, kind: str, text: str, *, now: datetime, now_text: str, ref: str | None
    ) -> StoredRecord:
        with self._ids_lock:
            record_id = self._ids.new_id()
        seq = head.seq + 1
        return StoredRecord(
            seq=seq,
            record_id=record_id,
            kind=kind,
            payload=text,
            created_at=now,
            prev_hash=head.hash,
            hash=record_hash(head.hash, seq, record_id, kind, text, now_text),
            subject_ref=ref,
        )

    def _write_batch(self, batch: Sequence[_Entry]) -> None:
        people: set[str] = set()
        for payload, _ in batch:
            people |= people_in(payload)
        refs: Mapping[str, str] = {}
        if people:
            with self._db.reading() as session:
                refs = self._refs(session, people)
        named = [(pseudonymize(payload, refs), decided_at) for payload, decided_at in batch]
        texts = [(_decision_text(p, at), _ref_of(p)) for p, at in named]  # outside the transaction
        with self._db.transaction() as session:
            head = self._repo.lock_head(session)
            # Read under the lock: append times never go back along the chain (decision times may,
            # across processes; they are the payload's `decided_at`).
            now = as_utc(self._clock.now())
            now_text = timestamp_text(now)
            records: list[StoredRecord] = []
            for text, ref in texts:
                record = self._link(head, DECISION_KIND, text, now=now, now_text=now_text, ref=ref)
                records.append(record)
                head = Head(seq=record.seq, hash=record.hash)
            self._repo.append(session, records, head)

    def tick(self) -> None:
        """One look by the shared flusher: flush when a batch is full or the interval is up."""
        now = time.monotonic()
        waiting = len(self._buffer) // 2
        if not waiting or now < self._retry_at:
            return
        due = waiting >= self.batch_size or waiting >= self.max_pending  # full: callers are waiting
        if due or now - self._last_flush >= self.flush_interval:
            try:
                self.flush()
            except Exception:
                # Keep the records (flush put them back) and try again after one interval.
                logger.exception("audit log flush failed; %d decision records still waiting", self.pending)
                self._retry_at = now + self.flush_interval


def _ref_of(payload: Any) -> str | None:
    """The person a record is about, when its payload names one at the top level."""
    ref = payload.get("subject_ref") if isinstance(payload, Mapping) else None
    return ref if isinstance(ref, str) else None


def _decision_text(payload: Mapping[str, Any], decided_at: datetime) -> str:
    """The payload's canonical text with its decision time; an unserializable payload still leaves a
    record that (and when) a decision happened."""
    moment = timestamp_text(decided_at)
    try:
        return payload_json({**payload, DECIDED_AT: moment})
    except (TypeError, ValueError) as error:
        logger.warning("audit log: decision payload is not JSON (%s); recording that it was lost", error)
        return payload_json({"unserializable_payload": True, "error": str(error), DECIDED_AT: moment})
