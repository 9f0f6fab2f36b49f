"""Batch statements over one tenant's rows keyed by many values (people, hashes), in bounded IN lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

CHUNK = 500  # values per IN list: far below every driver's parameter limit, still few round trips


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def delete_counted(
    session: Session, table: Table, column: str, tenant: str, keys: Sequence[str]
) -> Counter[str]:
    """Deletes the tenant's rows whose `column` is among `keys`; returns how many went per key (an
    erasure's certificate says what it removed for each person)."""
    counted: Counter[str] = Counter()
    for chunk in chunks(sorted(set(keys))):
        where = (table.c.tenant_id == tenant, table.c[column].in_(chunk))
        rows = session.execute(select(table.c[column], func.count()).where(*where).group_by(table.c[column]))
        counted.update({key: count for key, count in rows.tuples()})
        session.execute(delete(table).where(*where))
    return counted
