"""On SQLite a read must not wait for a writer: the service reads on its event loop (gate misses, key checks)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from consentgate.store.database import Database


def test_a_read_answers_from_its_snapshot_while_another_connection_holds_the_write_lock(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'reads.db'}")
    try:
        with db.transaction() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
            session.execute(text("INSERT INTO t VALUES (1)"))
        with db.transaction() as writing:
            writing.execute(text("INSERT INTO t VALUES (2)"))  # the write lock is held until this block ends
            with db.reading() as reading:  # with BEGIN IMMEDIATE this waited out busy_timeout, then failed
                seen = reading.execute(text("SELECT count(*) FROM t")).scalar_one()
        assert seen == 1  # the committed snapshot, not the uncommitted row
        with db.reading() as reading:
            assert reading.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    finally:
        db.dispose()
