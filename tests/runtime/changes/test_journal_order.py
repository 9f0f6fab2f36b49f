"""The journal is read in seq order, so a row must never become visible after a higher seq already was.

Two writers overlap: the first notes its change, the second notes its own and commits, a watcher
polls, and only then does the first commit. Had the first row taken its seq when it was noted, the
watcher would already be past it and never see it — a withdrawal one worker never hears of.
"""

from __future__ import annotations

import pytest

from consentgate.runtime.changes.journal import ChangeJournal
from consentgate.runtime.ports import FakeClock
from consentgate.store.database import Database


def test_a_change_committed_late_is_still_read_after_a_later_one_was(database: Database) -> None:
    clock = FakeClock()
    first, second = ChangeJournal(tenant="t", clock=clock), ChangeJournal(tenant="t", clock=clock)
    with database.reading() as session:
        position = first.head(session)
    if database.dialect == "sqlite":
        pytest.skip("SQLite has one writer at a time: two transactions cannot overlap")
    with database.transaction() as early:
        first.record_in(early, ["ref-early"])
        with database.transaction() as late:
            second.record_in(late, ["ref-late"])
        with database.reading() as session:
            seen = second.after(session, position, 100)
        assert [ref for _, ref, _ in seen] == ["ref-late"]
        position = seen[-1][0]
    with database.reading() as session:
        assert [ref for _, ref, _ in first.after(session, position, 100)] == ["ref-early"]


def test_a_rolled_back_change_is_never_journalled(database: Database) -> None:
    journal = ChangeJournal(tenant="t", clock=FakeClock())
    with database.reading() as session:
        position = journal.head(session)
    with pytest.raises(RuntimeError), database.transaction() as session:
        journal.record_in(session, ["ref"])
        raise RuntimeError("the writer's own work failed")
    with database.transaction() as session:
        journal.record_in(session, ["ref-2", "ref-2"])
    with database.reading() as session:
        assert [ref for _, ref, _ in journal.after(session, position, 100)] == ["ref-2"]
