"""Audits files over a process pool in which a worker that dies costs only the file it was on.

A worker can die in ways no `except` sees: a segfault in native code, the kernel's OOM killer, a
SIGKILL from outside. `ProcessPoolExecutor` then fails every unfinished task with
`BrokenProcessPool`, so the batch would lose all its files to one. Instead each worker marks in
shared memory the file it starts and the file it finishes; after a break, the files that were
started and not finished are the suspects, at most one per worker. Each suspect is retried alone in
a pool of its own (it may only have shared a pool with the real culprit), and one that breaks its
pool alone is reported as a crash; every other unfinished file goes to a fresh pool.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from ctypes import c_byte
from typing import Any

from consentgate.audit.engine import audit_file
from consentgate.audit.findings import ManifestReport
from consentgate.i18n import message
from consentgate.text import Text

Progress = Callable[[ManifestReport], None]

_NOT_STARTED, _STARTED, _FINISHED = 0, 1, 2
# Set in each worker by `_init`: the shared state of every file of the batch, by index.
_state: Any = None


def _init(state: Any) -> None:
    global _state
    _state = state


def audit_guarded(path: str) -> ManifestReport:
    """`audit_file`, with an unexpected exception (a bug) reported on its file instead of ending the batch."""
    try:
        return audit_file(path)
    except Exception as exc:  # any bug in a rule or the loader must cost only this file, not the batch
        cause = f"{type(exc).__name__}: {exc}"[:300]
        return _failed(path, message("error.checker_failed", path=path, cause=cause))


def _failed(path: str, text: Text) -> ManifestReport:
    return ManifestReport(path=path, app=None, errors=(text,))


def _crashed(path: str) -> ManifestReport:
    return _failed(
        path, message("error.worker_crashed", path=path, cause=message("error.worker_crashed.cause"))
    )


def _audit_chunk(chunk: list[tuple[int, str]]) -> list[tuple[int, ManifestReport]]:
    done = []
    for index, path in chunk:
        _state[index] = _STARTED
        done.append((index, audit_guarded(path)))
        _state[index] = _FINISHED
    return done


class _Batch:
    """The reports gathered so far, handed to `progress` in the order of the files."""

    def __init__(self, files: Sequence[str], progress: Progress | None) -> None:
        self.files = files
        self.progress = progress
        self.reports: dict[int, ManifestReport] = {}
        self._next = 0

    def add(self, index: int, report: ManifestReport) -> None:
        self.reports[index] = report
        while self._next in self.reports:
            if self.progress:
                self.progress(self.reports[self._next])
            self._next += 1

    def todo(self) -> list[int]:
        return [index for index in range(len(self.files)) if index not in self.reports]

    def ordered(self) -> list[ManifestReport]:
        return [self.reports[index] for index in range(len(self.files))]


def _round(batch: _Batch, todo: list[int], workers: int, chunk: int) -> list[int]:
    """Audits `todo` in one pool; returns the suspects if a worker died, else an empty list."""
    state = multiprocessing.RawArray(c_byte, len(batch.files))
    chunks = [
        [(index, batch.files[index]) for index in todo[start : start + chunk]]
        for start in range(0, len(todo), chunk)
    ]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(state,)) as pool:
        pending: set[Future[list[tuple[int, ManifestReport]]]] = {
            pool.submit(_audit_chunk, c) for c in chunks
        }
        broken = False
        while pending and not broken:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                for index, report in results:
                    batch.add(index, report)
    if not broken:
        return []
    return [index for index in todo if state[index] == _STARTED and index not in batch.reports]


def _alone(path: str) -> ManifestReport:
    """The file in a pool of its own: a break now can only be its own doing."""
    state = multiprocessing.RawArray(c_byte, 1)
    with ProcessPoolExecutor(max_workers=1, initializer=_init, initargs=(state,)) as pool:
        try:
            return pool.submit(_audit_chunk, [(0, path)]).result()[0][1]
        except BrokenProcessPool:
            return _crashed(path)


def audit_pooled(
    files: Sequence[str], *, workers: int, chunk: int, progress: Progress | None = None
) -> list[ManifestReport]:
    """One report per file, in the order of `files`, whatever happens to the workers."""
    batch = _Batch(files, progress)
    todo = batch.todo()
    while todo:
        suspects = _round(batch, todo, workers, chunk)
        if not suspects and batch.todo() == todo:
            # The pool broke before any file started (a worker killed at start-up): no file can be
            # blamed, so each goes alone; that always ends, with a report or a crash for each.
            suspects = todo
        for index in suspects:
            batch.add(index, _alone(files[index]))
        todo = batch.todo()
    return batch.ordered()
