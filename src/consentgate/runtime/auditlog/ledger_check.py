"""The tables that decide, checked against the chain: each ledger event against the audit record that
names it, and the projection against what the ledger folds to.

The ledger writes one `consent.recorded` chain record per transaction, naming every event it
appended (id, seq, person's ref, purpose, kind, data, recipient, notice, mechanism, channel, time,
and a digest of the evidence), in the same transaction as the events. So the chain already carries
each event: an event no record names was forged, one whose columns differ from its record was
modified (a changed `seq` is a reorder), a named event that is gone was deleted. The projection is
a pure fold of the ledger (`consent/projection.py`), so any row that differs from the fold was
written by someone other than the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.runtime.auditlog.repository import StoredRecord
from consentgate.runtime.auditlog.schemas import Finding
from consentgate.runtime.consent.events import EVIDENCE_DIGEST, evidence_digest
from consentgate.runtime.consent.projection import fold
from consentgate.runtime.consent.repository import ConsentRepository
from consentgate.runtime.consent.rows import utc
from consentgate.runtime.consent.schemas import ConsentFact, FactKey, SubjectFacts
from consentgate.runtime.consent.tables import EVENTS

RECORDED_KIND = "consent.recorded"
EVENTS_TABLE = "consent_events"
STATE_TABLE = "consent_state"

# The ledger columns a chain record binds, in the order findings name them.
_BOUND = (
    "seq",
    "subject_ref",
    "purpose",
    "kind",
    "data",
    "recipient",
    "notice_id",
    "notice_version",
    "mechanism",
    "channel",
    "occurred_at",
)
_FACT_FIELDS = ("status", "event_id", "notice_id", "notice_version", "data", "mechanism", "updated_at")

Report = Callable[[Finding], None]


@dataclass
class Bindings:
    """What the verified part of the chain says the ledger holds: event id -> (record seq, entry)."""

    events: dict[str, tuple[int, Mapping[str, Any]]] = field(default_factory=dict)

    def collect(self, record: StoredRecord) -> None:
        if record.kind != RECORDED_KIND:
            return
        payload = json.loads(record.payload)
        entries = payload.get("events") if isinstance(payload, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and isinstance(entry.get("event_id"), str):
                self.events[entry["event_id"]] = (record.seq, entry)


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return utc(value).isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


_PLAIN = tuple(name for name in _BOUND if name not in {"data", "occurred_at"})


def _bound_time(entry: Mapping[str, Any]) -> object:
    try:
        return utc(datetime.fromisoformat(str(entry.get("occurred_at"))))
    except ValueError:
        return entry.get("occurred_at")


def _differences(row: Any, entry: Mapping[str, Any]) -> list[str]:
    """`column: stored ≠ bound` for each column that differs; empty (and cheap) when none does."""
    changed = [
        (name, getattr(row, name), entry.get(name))
        for name in _PLAIN
        if getattr(row, name) != entry.get(name)
    ]
    if list(row.data) != entry.get("data"):
        changed.append(("data", list(row.data), entry.get("data")))
    stored_at, bound_at = utc(row.occurred_at), _bound_time(entry)
    if stored_at != bound_at:
        changed.append(("occurred_at", stored_at, bound_at))
    digest = entry.get(EVIDENCE_DIGEST)
    # Records written before the digest existed bind every column but the evidence.
    if isinstance(digest, str) and evidence_digest(row.evidence or {}) != digest:
        changed.append(
            ("evidence", "sha256:" + evidence_digest(row.evidence or {})[:12], "sha256:" + digest[:12])
        )
    return [f"{name}: {_shown(stored)} ≠ {_shown(bound)}" for name, stored, bound in changed]


def _ledger_rows(session: Session, tenant: str) -> Iterator[Any]:
    """Every event row of the tenant, raw (an erased person's events included: they stay bound)."""
    columns = [EVENTS.c.event_id, *(EVENTS.c[name] for name in _BOUND), EVENTS.c.evidence]
    query = select(*columns).where(EVENTS.c.tenant_id == tenant).order_by(EVENTS.c.seq)
    result = session.execute(query.execution_options(yield_per=5000))
    try:
        yield from result
    finally:
        result.close()


def check_ledger(session: Session, tenant: str, bindings: Bindings, report: Report) -> int:
    """Reports every event the chain does not bind as stored, and every bound event that is gone."""
    unseen = dict(bindings.events)
    checked = 0
    for row in _ledger_rows(session, tenant):
        checked += 1
        bound = unseen.pop(row.event_id, None)
        changed = [] if bound is None else _differences(row, bound[1])
        if bound is not None and not changed:
            continue
        name = message("auditlog.integrity.event_row", event_id=row.event_id, seq=row.seq)
        if bound is None:
            report(Finding(EVENTS_TABLE, name.en, message("auditlog.integrity.event_forged", row=name)))
            continue
        if changed:
            key = (
                "auditlog.integrity.event_moved"
                if changed[0].startswith("seq:") and len(changed) == 1
                else None
            )
            detail = message(
                key or "auditlog.integrity.event_modified",
                row=name,
                record=bound[0],
                fields="; ".join(changed),
            )
            report(Finding(EVENTS_TABLE, name.en, detail))
    for event_id, (record_seq, entry) in sorted(unseen.items(), key=lambda item: item[1][0]):
        name = message("auditlog.integrity.event_row", event_id=event_id, seq=entry.get("seq"))
        detail = message("auditlog.integrity.event_deleted", row=name, record=record_seq)
        report(Finding(EVENTS_TABLE, name.en, detail))
    return checked


def _fact_row(subject: str, key: FactKey) -> str:
    purpose, recipient = key
    return f"{subject} / {purpose} / {recipient or '—'}"


def _fact_differences(stored: ConsentFact, rebuilt: ConsentFact) -> list[str]:
    return [
        f"{name}: {_shown(_plain(getattr(stored, name)))} ≠ {_shown(_plain(getattr(rebuilt, name)))}"
        for name in _FACT_FIELDS
        if getattr(stored, name) != getattr(rebuilt, name)
    ]


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    return getattr(value, "value", value)


def check_projection(session: Session, repo: ConsentRepository, report: Report) -> int:
    """Reports every projection row that is not what the ledger folds to, and every fact missing."""
    try:
        rebuilt: dict[str, SubjectFacts] = fold(repo.stream_for_fold(session))
    except (KeyError, ValueError, TypeError) as error:  # a value no ledger writer produces
        report(
            Finding(
                EVENTS_TABLE,
                "*",
                message("auditlog.integrity.unreadable", table=EVENTS_TABLE, error=repr(error)),
            )
        )
        return 0
    try:
        stored = repo.projection(session)
    except (KeyError, ValueError, TypeError) as error:
        report(
            Finding(
                STATE_TABLE,
                "*",
                message("auditlog.integrity.unreadable", table=STATE_TABLE, error=repr(error)),
            )
        )
        return 0
    checked = 0
    for subject in sorted(set(stored) | set(rebuilt)):
        have, want = stored.get(subject, {}), rebuilt.get(subject, {})
        for key in sorted(set(have) | set(want), key=lambda k: (k[0], k[1] or "")):
            row = _fact_row(subject, key)
            fact, expected = have.get(key), want.get(key)
            checked += fact is not None
            if expected is None:
                detail = message("auditlog.integrity.state_extra", row=row)
            elif fact is None:
                detail = message("auditlog.integrity.state_missing", row=row, status=expected.status.value)
            else:
                changed = _fact_differences(fact, expected)
                if not changed:
                    continue
                detail = message("auditlog.integrity.state_modified", row=row, fields="; ".join(changed))
            report(Finding(STATE_TABLE, row, detail))
    return checked
