"""Suppressions live in the manifest, need a reason, and still show in every report."""

from __future__ import annotations

from consentgate.manifest.models import Suppression
from consentgate.manifest.positions import from_dotted, is_within


def matching(suppressions: list[Suppression], rule_id: str, node_pointer: str) -> Suppression | None:
    """The suppression that covers this rule at this place (the path may name an ancestor)."""
    for suppression in suppressions:
        if suppression.rule == rule_id and is_within(node_pointer, from_dotted(suppression.path)):
            return suppression
    return None
