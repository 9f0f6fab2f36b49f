"""What the conduct rules share: where a record is, how its unstated facts are named, how dates read.

Records of `conduct:` are named by their `id` where they have one, else by index, exactly as the
loader names them, so a finding's pointer lands on the record's line.
"""

from __future__ import annotations

import datetime as dt

from consentgate.manifest.conduct import Collection, Record, segment
from consentgate.manifest.models import Manifest, Recipient, RecipientKind
from consentgate.manifest.positions import pointer
from consentgate.rules.base import Severity, Unknown
from consentgate.text import Text


def record_at(section: str, record: Record, index: int, *rest: str) -> str:
    """`/conduct/requests/luo-copy/outcome`, or `/conduct/requests/0/outcome` for a record without id."""
    return pointer("conduct", section, segment(record, index), *rest)


def unstated(section: str, record: Record, index: int, field: str) -> Unknown:
    """The Unknown for one unstated fact of a record: `conduct.requests[luo-copy].outcome`."""
    return Unknown(
        record_at(section, record, index, field), f"conduct.{section}[{segment(record, index)}].{field}"
    )


def named(record: Record, index: int) -> Text:
    """How a message names the record: `“luo-copy”` or `第 1 条` / `#1`."""
    if record.id is not None:
        return Text(zh=f"“{record.id}”", en=f"'{record.id}'")
    return Text(zh=f"第 {index + 1} 条", en=f"#{index + 1}")


def on(day: dt.date | None) -> Text:
    """` on 2021-01-15` / `（2021-01-15）`, or nothing when the date is not stated."""
    if day is None:
        return Text(zh="", en="")
    return Text(zh=f"（{day.isoformat()}）", en=f" on {day.isoformat()}")


def milder(severity: Severity) -> Severity:
    """One step down, never below low: the milder form of the same breach."""
    return {Severity.HIGH: Severity.MEDIUM, Severity.MEDIUM: Severity.LOW}.get(severity, Severity.LOW)


def between(first: dt.date | None, last: dt.date | None) -> Text:
    """`（2021-01-15 至 2021-02-01）` / ` between 2021-01-15 and 2021-02-01`, as much as is stated."""
    if first is not None and last is not None and first != last:
        return Text(
            zh=f"（{first.isoformat()} 至 {last.isoformat()}）",
            en=f" between {first.isoformat()} and {last.isoformat()}",
        )
    return on(first or last)


def taken_by(manifest: Manifest, collection: Collection) -> Recipient | None:
    """The third party that collected it itself (an embedded SDK, an integrated app), or None: the app
    collected it, or an entrusted processor did for the app. Issue 19: such collections are judged by
    `CG-AVIM-053-SDK-WITHOUT-CONSENT`, the app's own by the collection rules, never both."""
    if collection.by is None:
        return None
    recipient = manifest.recipients_by_id.get(collection.by)
    if recipient is None or recipient.kind is RecipientKind.ENTRUSTED:
        return None
    return recipient
