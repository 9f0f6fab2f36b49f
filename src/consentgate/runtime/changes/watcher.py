"""One engine's place in the change feed: its tenant's journal position and the caches it tells.

It has no thread of its own: the process's `ChangeHub` calls `poll()` when the journal may have grown
(a PostgreSQL notification, or the poll), for every tenant's engine from one thread. Inside one process
the writers tell the caches at commit, with no delay at all. docs/runtime.md says which bound holds when.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.ports import Clock
from consentgate.store.database import Database

if TYPE_CHECKING:
    from consentgate.runtime.changes.hub import ChangeHub

_BATCH = 1000
_KEEP = timedelta(minutes=10)  # a feed that fell this far behind clears every cache when it recovers


class ChangeWatcher:
    """Reads its tenant's journal after its last position and tells the caches what changed elsewhere."""

    def __init__(
        self,
        db: Database,
        journal: ChangeJournal,
        *,
        hub: ChangeHub,
        clock: Clock,
        subjects_of: Callable[[Iterable[str]], Mapping[str, str]],
        forget: Callable[[str], None],
        everything_changed: Callable[[], None],
    ) -> None:
        self.db = db
        self.journal = journal
        self.tenant = journal.tenant
        self._hub = hub
        self._clock = clock  # the journal's rows carry this clock's times
        self._subjects_of = subjects_of  # ref -> subject id, for people still registered
        self._forget = forget
        self.everything_changed = everything_changed
        self._lock = threading.Lock()  # one reader at a time; `close` waits for the one in flight
        self._closed = False  # after close the engine may release its database: never touch it again
        with db.reading() as session:
            self._position = journal.head(session)

    def poll(self) -> int:
        """Applies every change committed elsewhere since the last poll; returns how many it applied."""
        with self._lock:
            applied = 0
            while not self._closed:
                with self.db.reading() as session:
                    changes = self.journal.after(session, self._position, _BATCH)
                if not changes:
                    return applied
                self._position = changes[-1][0]
                foreign = [ref for _, ref, origin in changes if origin != self.journal.origin]
                applied += len(foreign)
                self._apply(foreign)
            return applied

    def latest(self) -> int | None:
        """The newest seq of any tenant (see `ChangeJournal.latest`); None once closed."""
        with self._lock:
            if self._closed:
                return None
            with self.db.reading() as session:
                return ChangeJournal.latest(session)

    def prune(self) -> None:
        """Drops rows every live reader has long read (the hub reads far more often than it prunes)."""
        with self._lock:
            if self._closed:
                return
            with self.db.transaction() as session:
                self.journal.prune(session, self._clock.now() - _KEEP)

    def close(self) -> None:
        """Leaves the hub (the last engine to leave stops its thread), then waits out a read in flight."""
        self._hub.leave(self)
        with self._lock:
            self._closed = True

    def _apply(self, refs: list[str | None]) -> None:
        if not refs:
            return
        named = {ref for ref in refs if ref is not None}
        subjects = self._subjects_of(named) if named else {}
        if None in refs or len(subjects) < len(named):
            # A notice changed, or a person was erased (their ref maps to no one now): which cached
            # decisions rested on it is unknown, so none is kept.
            self.everything_changed()
            return
        for subject in subjects.values():
            self._forget(subject)
