"""A subject's consents as ISO/IEC TS 27560-style consent records (JSON-ready dicts).

One record per consent the ledger holds for the subject — per (purpose, recipient) key of the
projection — with the history of the events that decided it. Mapping of 27560 information
elements to the ledger:

================================  =====================================================================
27560 element                     consentgate source
================================  =====================================================================
record identifier                 `record_id`: UUIDv5 of tenant, subject, purpose, recipient — stable
                                  across give/withdraw cycles of the same consent
schema / version                  `schema`: "ISO/IEC TS 27560:2023", `schema_mapping`: this module's
PII principal                     `pii_principal_id`: the ledger subject id (pseudonymous)
PII controller                    `pii_controllers`: the manifest's operator (name, contact); without a
                                  manifest, the tenant id
PII processor / third party       `recipient`: the recipient named by the consent, with its kind;
                                  `role` "pii_processor" for an entrusted party (PIPL 21), otherwise
                                  "third_party" (PIPL 23)
notice (privacy notice shown)     `notice`: id, version, SHA-256 `content_hash` of the published text,
                                  `published_at` — the version the latest event names
purpose                           `purpose.id`, `purpose.kind` (manifest purpose kind)
legal basis (lawful basis)        `purpose.legal_basis`: the manifest basis (consent, separate-consent…)
PII categories                    `pii_categories`: data item ids with their catalog category
consent state                     `state`: active (given), refused, withdrawn, expired
timestamps                        `given_at` (latest consent given), `withdrawn_at` (its withdrawal, if
                                  any after it), `state_changed_at`
collection method / mechanism     `mechanism`: in-flow, separate, settings; `separate_consent`: bool
collection medium / channel       `channel`: the channel the latest event named
evidence                          `evidence`: screen id, locale, user agent, keyed hash of the IP — never
                                  the raw IP
event history                     `events`: every ledger event that decided this consent, in order
================================  =====================================================================
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from consentgate.manifest.models import Manifest, RecipientKind
from consentgate.runtime.consent.projection import apply
from consentgate.runtime.consent.schemas import (
    ConsentEvent,
    EventKind,
    Evidence,
    FactKey,
    Mechanism,
    SubjectFacts,
)
from consentgate.runtime.notices.schemas import NoticeVersion
from consentgate.runtime.policy import Policy

SCHEMA = "ISO/IEC TS 27560:2023"
SCHEMA_MAPPING = "consentgate.runtime.consent.export/1"
_RECORD_NAMESPACE = uuid.UUID("6f0c3a52-4d1e-5a8b-9c3f-27560c0a5e11")
_STATES = {
    EventKind.GIVEN: "active",
    EventKind.REFUSED: "refused",
    EventKind.WITHDRAWN: "withdrawn",
    EventKind.EXPIRED: "expired",
}

NoticeLookup = Callable[[str, str], NoticeVersion | None]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _evidence(evidence: Evidence) -> dict[str, str | None]:
    return {
        "screen_id": evidence.screen_id,
        "locale": evidence.locale,
        "user_agent": evidence.user_agent,
        "ip_hash": evidence.ip_hash,
    }


def _history(events: Sequence[ConsentEvent]) -> dict[FactKey, list[ConsentEvent]]:
    """Which events decided each key: replays `apply`, so a purpose-wide withdrawal is counted for
    every recipient it ended, exactly as the projection counts it."""
    facts: SubjectFacts = {}
    history: dict[FactKey, list[ConsentEvent]] = {}
    for event in events:
        facts = apply(facts, event)
        for key, fact in facts.items():
            if fact.event_id == event.event_id:
                history.setdefault(key, []).append(event)
    return history


def _controllers(tenant: str, manifest: Manifest | None) -> list[dict[str, str | None]]:
    operator = manifest.app.operator if manifest else None
    if operator is None:
        return [{"name": tenant, "contact": None}]
    return [{"name": operator.name, "contact": operator.contact}]


def _recipient(recipient: str | None, manifest: Manifest | None) -> dict[str, str | None] | None:
    if recipient is None:
        return None
    known = manifest.recipients_by_id.get(recipient) if manifest else None
    if known is None:
        return {"id": recipient, "name": None, "kind": None, "role": "third_party"}
    role = "pii_processor" if known.kind is RecipientKind.ENTRUSTED else "third_party"
    return {"id": recipient, "name": known.name, "kind": known.kind.value, "role": role}


def _categories(data: Sequence[str], manifest: Manifest | None) -> list[dict[str, str | None]]:
    items = manifest.data_by_id if manifest else {}
    return [{"data_item": d, "category": items[d].category if d in items else None} for d in data]


def _notice(notice_id: str | None, version: str | None, notices: NoticeLookup) -> dict[str, Any] | None:
    if notice_id is None or version is None:
        return None
    published = notices(notice_id, version)
    return {
        "id": notice_id,
        "version": version,
        "content_hash": published.content_hash if published else None,
        "hash_algorithm": "SHA-256",
        "published_at": _iso(published.published_at) if published else None,
    }


def consent_records(
    subject: str,
    *,
    tenant: str,
    facts: SubjectFacts,
    events: Sequence[ConsentEvent],
    policy: Policy,
    notices: NoticeLookup,
    manifest: Manifest | None = None,
) -> list[dict[str, Any]]:
    """One 27560-style record per consent key of `subject`, ordered by purpose then recipient."""
    history = _history(events)
    records = []
    for key in sorted(facts, key=lambda k: (k[0], k[1] or "")):
        fact = facts[key]
        decided_by = history.get(key, [])
        given = [e for e in decided_by if e.kind is EventKind.GIVEN]
        last_given = given[-1] if given else None
        withdrawn = [
            e
            for e in decided_by
            if e.kind is EventKind.WITHDRAWN and (last_given is None or e.seq > last_given.seq)
        ]
        latest = decided_by[-1] if decided_by else None
        purpose = policy.purposes.get(fact.purpose)
        data = fact.data or (last_given.data if last_given else ())
        records.append(
            {
                "schema": SCHEMA,
                "schema_mapping": SCHEMA_MAPPING,
                "record_id": str(
                    uuid.uuid5(_RECORD_NAMESPACE, f"{tenant}\x1f{subject}\x1f{key[0]}\x1f{key[1] or ''}")
                ),
                "pii_principal_id": subject,
                "pii_controllers": _controllers(tenant, manifest),
                "recipient": _recipient(fact.recipient, manifest),
                # The notice the consent was given on, even after a withdrawal that names none.
                "notice": _notice(
                    last_given.notice_id if last_given else fact.notice_id,
                    last_given.notice_version if last_given else fact.notice_version,
                    notices,
                ),
                "purpose": {
                    "id": fact.purpose,
                    "kind": purpose.kind.value if purpose else None,
                    "legal_basis": purpose.basis.value if purpose else None,
                },
                "pii_categories": _categories(data, manifest),
                "state": _STATES[fact.status],
                "given_at": _iso(last_given.occurred_at if last_given else None),
                "withdrawn_at": _iso(withdrawn[-1].occurred_at if withdrawn else None),
                "state_changed_at": _iso(fact.updated_at),
                "mechanism": fact.mechanism.value,
                "separate_consent": fact.mechanism is Mechanism.SEPARATE,
                "channel": latest.channel if latest else None,
                "evidence": _evidence(latest.evidence) if latest else None,
                "events": [
                    {
                        "event_id": e.event_id,
                        "seq": e.seq,
                        "type": e.kind.value,
                        "time": _iso(e.occurred_at),
                        "notice": {"id": e.notice_id, "version": e.notice_version} if e.notice_id else None,
                        "mechanism": e.mechanism.value,
                        "channel": e.channel,
                        "evidence": _evidence(e.evidence),
                    }
                    for e in decided_by
                ],
            }
        )
    return records
