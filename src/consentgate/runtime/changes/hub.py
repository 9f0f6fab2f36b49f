"""The process's one change feed: a single thread that keeps every tenant's caches in step.

Every Engine on a database registers its `ChangeWatcher` here (`ChangeHub.shared(url)`), so a process
runs one feed thread and, on PostgreSQL, holds one LISTEN connection however many tenants it serves.
On PostgreSQL a writer's NOTIFY (sent at its commit) wakes the thread, which reads the named tenant's
journal at once; a safety poll (`interval`, 1 s) reads every tenant and proves the connection alive.
On SQLite the thread polls every `interval` (50 ms).

The gate trusts its cached allows only while the feed is *live*: caught up to the journal's head
within the last `stale_after` seconds. A lost connection or a failed read ends that at once; a dead or
stuck thread ends it when `stale_after` runs out. The gate then reads every decision's facts from the
database until the feed has reconnected, read every journal to its head and cleared the caches.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import ClassVar

from sqlalchemy.engine import make_url

from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.changes.wakeups import Wakeups, wakeups_for
from consentgate.runtime.changes.watcher import ChangeWatcher
from consentgate.runtime.ports import Clock
from consentgate.store.database import Database

logger = logging.getLogger(__name__)

_PRUNE_EVERY = 60.0  # seconds
_RETRY_MOST = 2.0  # the reconnect back-off doubles from `retry` up to this, seconds


class FeedState(StrEnum):
    IDLE = "idle"  # no engine registered: no thread, nothing to trust
    STARTING = "starting"  # the first catch-up has not finished yet
    LIVE = "live"  # caught up within `stale_after`: cached allows may be served
    STALE = "stale"  # live, but no catch-up for `stale_after`: the thread is stuck or dead
    FAILED = "failed"  # the connection or a read failed; reconnecting


class ChangeHub:
    """One feed thread for every engine on one database in this process."""

    _shared: ClassVar[dict[str, ChangeHub]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        url: str,
        *,
        interval: float | None = None,
        stale_after: float | None = None,
        background: bool = True,
        retry: float = 0.05,
        wakeups: Callable[[str], Wakeups] = wakeups_for,
    ) -> None:
        self.url = url
        self.pushed = make_url(url).get_backend_name() == "postgresql"
        self.interval = interval if interval is not None else (1.0 if self.pushed else 0.05)
        self.stale_after = stale_after if stale_after is not None else max(2.0, 3 * self.interval)
        self._background = background  # False: nothing runs until `poll()` (tests drive it by hand)
        self._retry = retry
        self._wakeups = wakeups
        self._watchers: weakref.WeakSet[ChangeWatcher] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._source: Wakeups | None = None
        # time.monotonic() until which cached allows may be served; the gate reads it on every cached
        # allow (a plain attribute: cheaper than a call on the hot path), only this hub writes it.
        self.trusted_until = 0.0
        self._state = FeedState.IDLE
        self._reason = ""
        self._latest = -1  # SQLite: the newest seq of any tenant at the last complete poll
        self._pruned_at = time.monotonic()

    @classmethod
    def _forget_shared(cls) -> None:
        """In a forked child: the parent's hubs name threads and connections the child does not have."""
        cls._shared = {}
        cls._shared_lock = threading.Lock()

    @classmethod
    def shared(cls, url: str) -> ChangeHub:
        """The process's hub for this database (made on first use; its thread runs while engines do)."""
        with cls._shared_lock:
            hub = cls._shared.get(url)
            if hub is None:
                hub = cls._shared[url] = cls(url)
            return hub

    # ------------------------------------------------------------------ what the gate asks

    def trusted(self) -> bool:
        """Whether a cached allow may be served: the feed caught up within the last `stale_after` s."""
        return time.monotonic() < self.trusted_until

    @property
    def state(self) -> FeedState:
        if self._state is FeedState.LIVE and not self.trusted():
            return FeedState.STALE
        return self._state

    @property
    def reason(self) -> str:
        """Why the feed last failed (empty while it never did)."""
        return self._reason

    @property
    def threads(self) -> int:
        """Threads this hub runs now: one while any engine is registered, else none."""
        thread = self._thread
        return int(thread is not None and thread.is_alive())

    # ------------------------------------------------------------------ engines join and leave

    def watch(
        self,
        db: Database,
        journal: ChangeJournal,
        *,
        clock: Clock,
        subjects_of: Callable[[Iterable[str]], Mapping[str, str]],
        forget: Callable[[str], None],
        everything_changed: Callable[[], None],
    ) -> ChangeWatcher:
        """Registers one engine's caches from its journal's head on; starts the thread if none runs."""
        watcher = ChangeWatcher(
            db,
            journal,
            hub=self,
            clock=clock,
            subjects_of=subjects_of,
            forget=forget,
            everything_changed=everything_changed,
        )
        with self._lock:
            self._watchers.add(watcher)
            if self._background and self._thread is None:
                self._start()
        return watcher

    def leave(self, watcher: ChangeWatcher) -> None:
        """Unregisters an engine; the last to leave stops the thread and closes the connection."""
        with self._lock:
            self._watchers.discard(watcher)
            thread = self._thread if not self._watchers else None
            if thread is not None:
                self._halt()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def poll(self) -> int:
        """Reads every tenant's journal to its head now; returns how many foreign changes it applied."""
        return self._catch_up(None)

    # ------------------------------------------------------------------ the thread

    def _start(self) -> None:
        self._stop = threading.Event()
        self._source = self._wakeups(self.url)
        self._state = FeedState.STARTING
        self._thread = threading.Thread(
            target=self._run, args=(self._stop, self._source), name="consentgate-changes", daemon=True
        )
        self._thread.start()

    def _halt(self) -> None:
        """Under the lock: tells the thread to end; it closes its connection on the way out."""
        self._stop.set()
        if self._source is not None:
            self._source.wake()
        self._thread, self._source = None, None
        self.trusted_until = 0.0
        self._state = FeedState.IDLE

    def _run(self, stop: threading.Event, source: Wakeups) -> None:
        retry = self._retry
        try:
            while not stop.is_set():
                try:
                    source.connect()
                    self._catch_up(None)  # after (re)connecting: to every journal's head
                    retry = self._retry
                    full = time.monotonic() + self.interval
                    while not stop.is_set():
                        named = source.wait(max(0.0, full - time.monotonic()))
                        if stop.is_set() or self._orphaned():
                            return
                        if named is not None and time.monotonic() < full:
                            self._catch_up(named)
                        else:  # the safety poll is due even while notifications keep coming
                            self._catch_up(None)
                            full = time.monotonic() + self.interval
                except Exception as exc:
                    if stop.is_set() or self._orphaned():
                        return
                    self._failed(f"{exc.__class__.__name__}: {exc}")
                    source.disconnect()
                    stop.wait(retry)
                    retry = max(self._retry, min(retry * 2, _RETRY_MOST))
        finally:
            source.close()
            if not stop.is_set():
                self._failed("the change feed thread ended")

    def _orphaned(self) -> bool:
        """Every engine was dropped without closing: the thread ends instead of outliving them."""
        with self._lock:
            if self._watchers:
                return False
            self._halt()
            return True

    def _catch_up(self, named: set[str] | None) -> int:
        """Reads the journals of the named tenants (None: all). Only reading all renews the trust: a
        catch-up that began after a commit has then read it, whichever tenant it was for."""
        started = time.monotonic()
        watchers = list(self._watchers)
        latest = None
        if named is not None:
            watchers = [w for w in watchers if w.tenant in named]
        elif not self.pushed and watchers:
            latest = watchers[0].latest()
            if latest == self._latest and self._state is FeedState.LIVE:
                watchers = []  # SQLite commits one writer at a time: no newer seq, no new row
        applied = sum(watcher.poll() for watcher in watchers)
        if latest is not None:
            self._latest = latest
        if started - self._pruned_at > _PRUNE_EVERY:
            self._pruned_at = started
            for watcher in list(self._watchers):
                watcher.prune()
        if named is None:
            self._live(started)
        return applied

    def _live(self, caught_up_at: float) -> None:
        with self._lock:
            if self._state is FeedState.IDLE and self._background:
                return  # stopped meanwhile
            expired = self._state is FeedState.LIVE and caught_up_at >= self.trusted_until
            if self._state is not FeedState.LIVE or expired:
                if self._state is FeedState.FAILED or expired:
                    # Changes may have been missed or pruned while it was down: no cached answer stays.
                    for watcher in list(self._watchers):
                        watcher.everything_changed()
                    logger.warning("change feed caught up again: cached decisions are served again")
                self._state = FeedState.LIVE
            self.trusted_until = caught_up_at + self.stale_after

    def _failed(self, reason: str) -> None:
        with self._lock:
            self.trusted_until = 0.0
            self._reason = reason
            if self._state is FeedState.FAILED:
                return
            self._state = FeedState.FAILED
        logger.warning("change feed failed (%s): the gate reads every decision from the database", reason)


os.register_at_fork(after_in_child=ChangeHub._forget_shared)
