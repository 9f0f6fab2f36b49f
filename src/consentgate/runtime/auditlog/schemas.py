"""What the audit log hands to callers: records and verification reports, never ORM rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from consentgate.text import Text

ProblemKind = Literal["modified", "deleted", "reordered", "head-mismatch"]

DECISION_KIND = "decision"


@dataclass(frozen=True)
class AuditRecord:
    """One record of a tenant's chain, as stored."""

    tenant: str
    seq: int
    record_id: str
    kind: str
    payload: Mapping[str, Any]
    created_at: datetime
    prev_hash: str
    hash: str


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
