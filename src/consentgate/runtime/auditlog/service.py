"""The audit log service: changes chained in the caller's transaction, decisions chained in batches.

Changes (consent events, notice publications, profile writes) are rare and must never be
acknowledged without their record, so `record_change` appends inside the transaction that makes
the change. Decisions that release data come from the gate's hot path at up to millions per second,
so `record_decision` only appends to a deque; a background thread hashes and writes them in
batches. docs/auditlog.md states exactly what a crash can lose.
"""

from __future__ import annotations

import atexit
import functools
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consentgate.runtime.auditlog.chain import as_utc, payload_json, record_hash, timestamp_text
from consentgate.runtime.auditlog.pseudonyms import people_in, pseudonymize
from consentgate.runtime.auditlog.repository import AuditRepository, Head, StoredRecord
from consentgate.runtime.auditlog.schemas import DECISION_KIND, AuditRecord, VerifyReport
from consentgate.runtime.auditlog.verify import verify_chain
from consentgate.runtime.ports import Clock, IdFactory
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

# The flusher looks at the buffer this often (at most): a full batch waits no longer than this.
_MAX_POLL = 0.01


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
    ) -> None:
        if batch_size < 1 or flush_interval <= 0:
            raise ValueError("batch_size must be >= 1 and flush_interval > 0")
        self._db = db
        self._tenant = tenant
        self._clock = clock
        self._ids = ids
        self._repo = AuditRepository(tenant)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self._buffer: deque[Mapping[str, Any]] = deque()
        self._flush_lock = threading.Lock()  # one flusher at a time keeps this process's batches in order
        self._ids_lock = threading.Lock()  # id factories (e.g. the test fakes) need not be thread-safe
        self._in_flight = 0  # taken from the buffer, not yet committed
        self._last_flush = time.monotonic()
        self._retry_at = 0.0
        self._closed = False
        self._stop = threading.Event()
        # The thread and the exit hook hold only weak references: a log nobody holds any more
        # stops its thread instead of leaking it.
        self._thread = threading.Thread(
            target=_run_flusher,
            args=(weakref.ref(self), self._stop, min(flush_interval, _MAX_POLL)),
            name=f"consentgate-auditlog-{tenant}",
            daemon=True,
        )
        self._thread.start()
        self._exit_hook = functools.partial(_close_at_exit, weakref.ref(self))
        atexit.register(self._exit_hook)

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def pending(self) -> int:
        """Decisions waiting in memory: exactly what a crash right now would lose."""
        return len(self._buffer) + self._in_flight

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
        """Buffers a released-data decision; written in batches (see docs/auditlog.md for what a crash loses).

        The hot path: one deque append, thread-safe without a lock. The payload must not be mutated
        afterwards; it is serialized and hashed by the flusher.
        """
        self._buffer.append(payload)

    def flush(self) -> int:
        """Writes every decision waiting now, one transaction per batch; returns how many were written.

        Only what is waiting when the call starts is written, so a steady stream cannot keep it busy
        forever. A failed batch goes back to the front of the buffer and the error propagates.
        """
        with self._flush_lock:
            waiting, written = len(self._buffer), 0
            while written < waiting:
                batch = self._take(min(self.batch_size, waiting - written))
                if not batch:
                    break
                self._in_flight = len(batch)
                try:
                    self._write_batch(batch)
                except BaseException:
                    self._buffer.extendleft(reversed(batch))
                    raise
                finally:
                    self._in_flight = 0
                written += len(batch)
            self._last_flush = time.monotonic()
            return written

    def close(self) -> None:
        """Stops the background flusher and writes what is still waiting."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        atexit.unregister(self._exit_hook)
        self.flush()

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

    def _take(self, count: int) -> list[Mapping[str, Any]]:
        batch: list[Mapping[str, Any]] = []
        pop = self._buffer.popleft
        try:
            for _ in range(count):
                batch.append(pop())
        except IndexError:
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

    def _write_batch(self, batch: Sequence[Mapping[str, Any]]) -> None:
        people: set[str] = set()
        for payload in batch:
            people |= people_in(payload)
        refs: Mapping[str, str] = {}
        if people:
            with self._db.reading() as session:
                refs = self._refs(session, people)
        named = [pseudonymize(payload, refs) for payload in batch]
        texts = [(_decision_text(payload), _ref_of(payload)) for payload in named]  # outside the transaction
        with self._db.transaction() as session:
            head = self._repo.lock_head(session)
            now = as_utc(self._clock.now())  # read under the lock: times never go back along the chain
            now_text = timestamp_text(now)
            records: list[StoredRecord] = []
            for text, ref in texts:
                record = self._link(head, DECISION_KIND, text, now=now, now_text=now_text, ref=ref)
                records.append(record)
                head = Head(seq=record.seq, hash=record.hash)
            self._repo.append(session, records, head)

    def _tick(self) -> None:
        """One look by the background thread: flush when a batch is full or the interval is up."""
        now = time.monotonic()
        waiting = len(self._buffer)
        if not waiting or now < self._retry_at:
            return
        if waiting >= self.batch_size or now - self._last_flush >= self.flush_interval:
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


def _decision_text(payload: Mapping[str, Any]) -> str:
    """The payload's canonical text; an unserializable payload still leaves a record that it happened."""
    try:
        return payload_json(payload)
    except (TypeError, ValueError) as error:
        logger.warning("audit log: decision payload is not JSON (%s); recording that it was lost", error)
        return payload_json({"unserializable_payload": True, "error": str(error)})


def _run_flusher(ref: weakref.ref[AuditLog], stop: threading.Event, poll: float) -> None:
    while not stop.wait(poll):
        log = ref()
        if log is None:
            return
        log._tick()
        del log  # do not keep the log alive between looks


def _close_at_exit(ref: weakref.ref[AuditLog]) -> None:
    log = ref()
    if log is None:
        return
    try:
        log.close()
    except Exception:
        logger.exception("audit log: flush at exit failed; %d decision records lost", log.pending)
