"""Stored rows back into the ledger's values (events and facts), and values into stored documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Row

from consentgate.runtime.consent.schemas import ConsentEvent, ConsentFact, EventKind, Evidence, Mechanism


def utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; every time we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def evidence_document(evidence: Evidence) -> dict[str, str]:
    fields = {
        "screen_id": evidence.screen_id,
        "locale": evidence.locale,
        "user_agent": evidence.user_agent,
        "ip_hash": evidence.ip_hash,
    }
    return {name: value for name, value in fields.items() if value is not None}


_KINDS = {kind.value: kind for kind in EventKind}
_MECHANISMS = {mechanism.value: mechanism for mechanism in Mechanism}
_NO_EVIDENCE = Evidence()


def _event(row: Row[Any], data: tuple[str, ...], channel: str | None, evidence: Evidence) -> ConsentEvent:
    return ConsentEvent(
        event_id=row.event_id,
        seq=row.seq,
        subject=row.subject,
        purpose=row.purpose,
        kind=_KINDS[row.kind],
        data=data,
        recipient=row.recipient,
        notice_id=row.notice_id,
        notice_version=row.notice_version,
        mechanism=_MECHANISMS[row.mechanism],
        channel=channel,
        evidence=evidence,
        occurred_at=utc(row.occurred_at),
    )


def to_event(row: Row[Any]) -> ConsentEvent:
    return _event(row, tuple(row.data), row.channel, Evidence(**row.evidence))


def to_folded_event(row: Row[Any]) -> ConsentEvent:
    # For the fold only: it never reads channel or evidence, so they are not fetched, and `data`
    # comes as JSON text for orjson (several times faster than the drivers' json.loads).
    return _event(row, tuple(orjson.loads(row.data)), None, _NO_EVIDENCE)


def to_fact(row: Row[Any]) -> ConsentFact:
    return ConsentFact(
        subject=row.subject,
        purpose=row.purpose,
        recipient=row.recipient or None,
        status=EventKind(row.status),
        event_id=row.event_id,
        notice_id=row.notice_id,
        notice_version=row.notice_version,
        data=tuple(row.data),
        mechanism=Mechanism(row.mechanism),
        updated_at=utc(row.updated_at),
    )
