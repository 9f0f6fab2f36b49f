"""What the audit log hands to callers: records and verification reports, never ORM rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from consentgate.text import Text

ProblemKind = Literal["modified", "deleted", "reordered", "head-mismatch"]

DECISION_KIND = "decision"
# The payload key under which a decision record carries the moment the decision was made (the
# record's `created_at` is when its batch was appended to the chain, up to a flush interval later).
DECIDED_AT = "decided_at"


@dataclass(frozen=True)
class AuditRecord:
    """One record of a tenant's chain, as stored; `decided_at` is a decision's own time (else None)."""

    tenant: str
    seq: int
    record_id: str
    kind: str
    payload: Mapping[str, Any]
    created_at: datetime
    prev_hash: str
    hash: str
    decided_at: datetime | None = None

    @property
    def at(self) -> datetime:
        """When it happened: a decision's own time, or for a change its commit's."""
        return self.decided_at or self.created_at


@dataclass(frozen=True)
class Problem:
    """The first place where the chain no longer proves what was written."""

    kind: ProblemKind
    seq: int
    record_id: str | None  # None where the record is gone (deleted, truncated)
    detail: Text


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    records_checked: int
    problem: Problem | None = None


@dataclass(frozen=True)
class Finding:
    """One row that no longer proves what was written: which table, which row, what differs."""

    table: str  # audit_records, audit_heads, consent_events, consent_state, anchor
    row: str  # the row's identity as a reader can find it (seq, event id, subject/purpose/recipient)
    detail: Text


@dataclass(frozen=True)
class IntegrityReport:
    """Everything `verify` checked for one tenant: the chain, the ledger bound to it, the projection.

    `findings` holds at most `limit` entries (a wholesale rewrite would otherwise print millions of
    lines); `total` counts them all.
    """

    tenant: str
    chain: VerifyReport
    events_checked: int
    rows_checked: int
    findings: tuple[Finding, ...]
    total: int

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.total == 0
