"""One background flusher thread per process, serving every tenant's audit log.

A worker serving a thousand tenants must not run a thousand threads: each `AuditLog` registers here
and the one thread looks at every registered log in turn (an idle log costs a `len()` per look).
The registry holds logs only by weak reference, so a log nobody holds any more drops out instead of
leaking; the thread stops when the last log leaves and starts again with the next one. One exit
hook closes (flushes) whatever is still registered at a normal interpreter exit, and a forked child
gets a thread of its own for the logs it inherited.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from typing import Protocol

logger = logging.getLogger(__name__)


class Flushable(Protocol):
    """What the flusher needs of a log."""

    @property
    def poll(self) -> float:
        """How often (seconds, at most) the log wants to be looked at."""
        ...

    @property
    def pending(self) -> int: ...

    def tick(self) -> None:
        """One look: write what is due; never raises."""
        ...

    def close(self) -> None: ...

    def forked(self) -> None:
        """In a forked child: forget what the parent buffered (the parent writes it) and its locks."""
        ...


class FlusherRegistry:
    """The process's audit logs and the single thread that flushes them."""

    def __init__(self, name: str = "consentgate-auditlog") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._logs: dict[int, weakref.ref[Flushable]] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def thread(self) -> threading.Thread | None:
        """The running flusher thread, if any log is registered."""
        return self._thread

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for ref in self._logs.values() if ref() is not None)

    def register(self, log: Flushable) -> None:
        key = id(log)

        def forget(_: weakref.ref[Flushable]) -> None:  # the log was collected without close()
            with self._lock:
                if self._logs.get(key) is ref:
                    del self._logs[key]

        ref = weakref.ref(log, forget)
        with self._lock:
            self._logs[key] = ref
            if self._thread is None:
                self._start()

    def unregister(self, log: Flushable) -> None:
        """Removes the log; the last one out stops the thread (and waits for it, unless called from it)."""
        with self._lock:
            self._logs.pop(id(log), None)
            if self._logs or self._thread is None:
                return
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not threading.current_thread():
            thread.join()

    def close_all(self) -> None:
        """Closes every registered log (the exit hook): each flushes what waits."""
        with self._lock:
            logs = [log for ref in self._logs.values() if (log := ref()) is not None]
        for log in logs:
            try:
                log.close()
            except Exception:
                logger.exception("audit log: flush at exit failed; %d decision records lost", log.pending)

    def _start(self) -> None:
        # Called with the lock held. Each thread gets its own stop event: a thread told to stop
        # never misses it because a new one started meanwhile.
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), name=self._name, daemon=True)
        self._thread.start()

    def _run(self, stop: threading.Event) -> None:
        poll = 0.01
        while not stop.wait(poll):
            with self._lock:
                if not self._logs:  # every log was dropped without close(): nothing left to serve
                    if self._stop is stop:
                        self._thread = None
                    return
                refs = list(self._logs.values())
            polls = []
            for ref in refs:
                log = ref()
                if log is None:
                    continue
                log.tick()
                polls.append(log.poll)
                del log  # hold no log between looks: a dropped log must be collectable
            poll = min(polls, default=0.01)

    def _after_fork(self) -> None:
        # The parent's thread does not exist in the child; the child's inherited logs need one.
        self._lock = threading.Lock()
        self._thread = None
        for ref in list(self._logs.values()):
            if (log := ref()) is not None:
                log.forked()
        if self._logs:
            self._start()


REGISTRY = FlusherRegistry()
atexit.register(REGISTRY.close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=REGISTRY._after_fork)
