"""What the notice service hands to callers: published versions, never rows.

A version's `change` says how it differs from the previous version of the same notice; a MATERIAL
change makes earlier consents for `affected_purposes` stale until the person consents again
(PIPL 14 para 2: a change of purpose, method or data needs new consent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consentgate.text import Text


class ChangeKind(StrEnum):
    INITIAL = "initial"  # the first version of this notice
    MATERIAL = "material"  # purposes, data or recipients changed: affected consents go stale
    EDITORIAL = "editorial"  # only the wording changed: earlier consents stay live


@dataclass(frozen=True)
class NoticeVersion:
    """One published version of a notice; never changed once published."""

    notice_id: str
    version: str
    seq: int  # publication order within the tenant
    content_hash: str  # SHA-256 (hex) of the canonical content, see `notices.service.content_hash`
    text: Text
    purposes: frozenset[str]
    data: frozenset[str]
    recipients: frozenset[str]
    change: ChangeKind
    affected_purposes: frozenset[str]  # empty unless `change` is MATERIAL
    previous_version: str | None
    published_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return (self.notice_id, self.version)
