"""What the profile store hands to callers: frozen attributes, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class AttributeSource(StrEnum):
    TYPED = "typed"  # the person typed or chose it
    DERIVED = "derived"  # computed from other attributes (a 用户画像 tag)


@dataclass(frozen=True)
class Attribute:
    """One current value about a subject, bound to the purposes it was collected for."""

    attribute_id: str
    subject: str
    data_id: str
    value: Any
    source: AttributeSource
    purposes: tuple[str, ...]
    consent_event_id: str | None
    # Lineage: the attribute ids a derived tag was computed from (empty for typed attributes).
    derived_from: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Correction:
    """What one correction (PIPL 46) changed: the typed value, and every tag that rested on it."""

    previous: Attribute
    current: Attribute
    recomputed: tuple[Attribute, ...]  # tags computed again from the corrected lineage
    dropped: tuple[str, ...]  # data ids of tags deleted: no deriver could compute them again

    @property
    def changed(self) -> tuple[str, ...]:
        """Every data item whose value a recipient may hold in its old form (for correction notices)."""
        return (self.current.data_id, *(tag.data_id for tag in self.recomputed), *self.dropped)
