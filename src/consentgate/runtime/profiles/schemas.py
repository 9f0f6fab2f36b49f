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
