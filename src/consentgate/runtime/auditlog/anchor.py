"""Anchors: each tenant's chain head (seq, hash, time) exported and signed with a key the database lacks.

A chain proves its own records, but not that it still has all of them: whoever can write the database
can delete the newest records and roll the head back, or delete a tenant's whole chain and head. An
anchor kept elsewhere (a notary, a signed daily report, another machine) says "tenant T had N records
ending in hash H". Verifying against it fails when the chain is shorter than N, or when its record N
no longer carries H (rewritten from there on, consistently).

The signature is HMAC-SHA256 under a key derived from the key ring (docs/keys.md: `CONSENTGATE_KEYS`,
`CONSENTGATE_KEY_FILE`, the `.keys` file beside an SQLite file): the database holds no key, so an
administrator who rewrites the database cannot forge a matching anchor. It is symmetric — whoever
verifies holds the same ring — which fits an operator checking their own store.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consentgate.i18n import message
from consentgate.runtime.auditlog.chain import as_utc, canonical_json, timestamp_text
from consentgate.runtime.auditlog.models import AuditHeadRow, AuditRecordRow
from consentgate.runtime.auditlog.schemas import Finding
from consentgate.runtime.keys.derive import hkdf
from consentgate.runtime.keys.ring import KeyRing

FORMAT = "consentgate-anchor/1"
ANCHOR_TABLE = "anchor"
_LABEL = b"consentgate/audit-anchor/v1"


@dataclass(frozen=True)
class AnchoredHead:
    tenant: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Anchor:
    created_at: datetime
    key_version: str
    heads: tuple[AnchoredHead, ...]
    signature: str = ""

    def body(self) -> dict[str, Any]:
        """What is signed: everything but the signature, as canonical JSON."""
        return {
            "format": FORMAT,
            "created_at": timestamp_text(self.created_at),
            "key_version": self.key_version,
            "heads": [{"tenant": h.tenant, "seq": h.seq, "hash": h.hash} for h in self.heads],
        }

    def to_json(self) -> str:
        return json.dumps({**self.body(), "signature": self.signature}, ensure_ascii=False, indent=2) + "\n"


class AnchorUnreadable(ValueError):
    """The file is not an anchor this version writes (the message says what is wrong, in English)."""


def _key(ring: KeyRing, version: str) -> bytes | None:
    for entry in ring:
        if entry.tenant is None and entry.version == version:
            return hkdf(entry.material, _LABEL)
    return None


def _mac(key: bytes, anchor: Anchor) -> str:
    return hmac.new(key, canonical_json(anchor.body()).encode("utf-8"), "sha256").hexdigest()


def read_heads(session: Session, tenants: Sequence[str] | None = None) -> tuple[AnchoredHead, ...]:
    """Every tenant's head (or the ones named), tenant by tenant; the one read that spans tenants."""
    query = select(AuditHeadRow.tenant_id, AuditHeadRow.seq, AuditHeadRow.hash).order_by(
        AuditHeadRow.tenant_id
    )
    if tenants:
        query = query.where(AuditHeadRow.tenant_id.in_(list(tenants)))
    return tuple(AnchoredHead(r.tenant_id, r.seq, r.hash) for r in session.execute(query))


def sign(heads: Iterable[AnchoredHead], ring: KeyRing, now: datetime) -> Anchor:
    """An anchor of `heads`, signed with the ring's current master key."""
    version = ring.current.version
    unsigned = Anchor(created_at=as_utc(now), key_version=version, heads=tuple(heads))
    key = _key(ring, version)
    assert key is not None  # the current entry is never a legacy one (KeyRing refuses that)
    return Anchor(unsigned.created_at, version, unsigned.heads, _mac(key, unsigned))


def parse(text: str) -> Anchor:
    try:
        raw = json.loads(text)
        if raw.get("format") != FORMAT:
            raise AnchorUnreadable(f"format is not {FORMAT}")
        heads = tuple(AnchoredHead(str(h["tenant"]), int(h["seq"]), str(h["hash"])) for h in raw["heads"])
        created = as_utc(datetime.fromisoformat(str(raw["created_at"]).replace("Z", "+00:00")))
        return Anchor(created, str(raw["key_version"]), heads, str(raw["signature"]))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise AnchorUnreadable(str(error) or error.__class__.__name__) from None


def signature_finding(anchor: Anchor, ring: KeyRing) -> Finding | None:
    """None when the anchor was signed by a key of this ring and is unaltered."""
    key = _key(ring, anchor.key_version)
    if key is None:
        detail = message("auditlog.anchor.unknown_key", version=anchor.key_version)
        return Finding(ANCHOR_TABLE, anchor.key_version, detail)
    if not hmac.compare_digest(_mac(key, anchor), anchor.signature):
        return Finding(ANCHOR_TABLE, anchor.key_version, message("auditlog.anchor.bad_signature"))
    return None


def check_heads(session: Session, anchor: Anchor) -> list[Finding]:
    """For each anchored tenant: the chain still reaches the anchored seq, with the anchored hash there."""
    findings: list[Finding] = []
    when = timestamp_text(anchor.created_at)
    for head in anchor.heads:
        if head.seq == 0:
            continue
        row = f"{head.tenant} / seq {head.seq}"
        count = session.scalar(
            select(AuditRecordRow.seq)
            .where(AuditRecordRow.tenant_id == head.tenant)
            .order_by(AuditRecordRow.seq.desc())
            .limit(1)
        )
        stored = session.scalar(
            select(AuditRecordRow.hash).where(
                AuditRecordRow.tenant_id == head.tenant, AuditRecordRow.seq == head.seq
            )
        )
        if count is None:
            detail = message("auditlog.anchor.chain_gone", tenant=head.tenant, count=head.seq, at=when)
        elif count < head.seq:
            detail = message(
                "auditlog.anchor.truncated", tenant=head.tenant, count=head.seq, last=count, at=when
            )
        elif stored != head.hash:
            detail = message("auditlog.anchor.rewritten", tenant=head.tenant, seq=head.seq, at=when)
        else:
            continue
        findings.append(Finding(ANCHOR_TABLE, row, detail))
    return findings
