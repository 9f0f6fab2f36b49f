"""A background thread that applies other processes' changes to this process's caches.

Its staleness is bounded by `interval` (default 50 ms): a consent withdrawn, a restriction or an
erasure committed by another process reaches this process's gate within that time. Inside one process
the writers tell the caches at commit, with no delay at all. docs/runtime.md says which holds when.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.ports import Clock
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

_BATCH = 1000
_KEEP = timedelta(minutes=10)  # a watcher that fell this far behind clears everything anyway
_PRUNE_EVERY = 600  # polls


class ChangeWatcher:
    """Reads the journal after its last position and tells the caches what changed elsewhere."""

    def __init__(
        self,
        db: Database,
        journal: ChangeJournal,
        *,
        clock: Clock,
        subjects_of: Callable[[Iterable[str]], Mapping[str, str]],
        forget: Callable[[str], None],
        everything_changed: Callable[[], None],
        interval: float = 0.05,
    ) -> None:
        self._db = db
        self._journal = journal
        self._clock = clock
        self._subjects_of = subjects_of  # ref -> subject id, for people still registered
        self._forget = forget
        self._everything_changed = everything_changed
        self._lock = threading.Lock()
        self._polls = 0
        with db.reading() as session:
            self._position = journal.head(session)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=_run,
            args=(weakref.ref(self), self._stop, interval),
            name="consentgate-changes",
            daemon=True,
        )
        self._thread.start()

    def poll(self) -> int:
        """Applies every change committed elsewhere since the last poll; returns how many it applied."""
        with self._lock:
            applied = 0
            while True:
                with self._db.reading() as session:
                    changes = self._journal.after(session, self._position, _BATCH)
                if not changes:
                    break
                self._position = changes[-1][0]
                foreign = [ref for _, ref, origin in changes if origin != self._journal.origin]
                applied += len(foreign)
                self._apply(foreign)
            self._polls += 1
            if self._polls % _PRUNE_EVERY == 0:
                with self._db.transaction() as session:
                    self._journal.prune(session, self._clock.now() - _KEEP)
            return applied

    def close(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _apply(self, refs: list[str | None]) -> None:
        if not refs:
            return
        named = {ref for ref in refs if ref is not None}
        subjects = self._subjects_of(named) if named else {}
        if None in refs or len(subjects) < len(named):
            # A notice changed, or a person was erased (their ref maps to no one now): which cached
            # decisions rested on it is unknown, so none is kept.
            self._everything_changed()
            return
        for subject in subjects.values():
            self._forget(subject)


def _run(ref: weakref.ref[ChangeWatcher], stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        watcher = ref()
        if watcher is None:
            return
        try:
            watcher.poll()
        except Exception:  # a database hiccup: try again at the next tick
            logger.exception("change watcher: poll failed; retrying")
        del watcher
