"""Checks a `Holdings` keeps the promises every format relies on, before any byte is written.

A broken promise is a bug in the gatherer, not the person's fault, so it is a ValueError: the copy
fails loudly rather than silently dropping a value from the tables or writing an unsafe file name.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from consentgate.runtime.rights.holdings import Holdings, Section

# A section key names a file in the zip: plain lowercase so it is safe and distinct on every system.
_SAFE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def check_holdings(holdings: Holdings) -> None:
    if holdings.generated_at.tzinfo is None:
        raise ValueError("Holdings.generated_at must be timezone-aware")
    seen: set[str] = set()
    for section in holdings.sections:
        if not _SAFE_KEY.fullmatch(section.key):
            raise ValueError(f"section key {section.key!r} is not a safe file name ([a-z0-9_-], at most 64)")
        if section.key in seen:
            raise ValueError(f"section key {section.key!r} appears twice")
        seen.add(section.key)
        _check_section(section)


def _check_section(section: Section) -> None:
    keys = [column.key for column in section.columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"section {section.key!r} has a column key twice")
    known = set(keys)
    for index, row in enumerate(section.rows):
        extra = set(row) - known
        if extra:
            raise ValueError(
                f"section {section.key!r} row {index} has values with no column: {sorted(extra)}"
            )


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC, the one spelling of `generated_at` in every file."""
    return utc(moment).isoformat()
