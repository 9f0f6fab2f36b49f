"""How a rule names a fact that the manifest leaves unstated, in one way for every rule.

The engine lists these facts in the unconfirmed result, so people must be able to find the place to
write them: the pointer says where it would go, the fact is written the way the manifest reads
(`purposes[feed].personalization.opt_out`, `recipients[sg-ads].country`).
"""

from __future__ import annotations

from consentgate.manifest.positions import pointer
from consentgate.rules.base import Unknown


def unstated(section: str, item_id: str, *path: str | int) -> Unknown:
    """A fact of one item of a list section: `unstated("data", "phone", "source")` names `data[phone].source`,
    `unstated("onboarding", "login", "fields", 0, "required")` names `onboarding[login].fields[0].required`."""
    fact = f"{section}[{item_id}]" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
    return Unknown(pointer(section, item_id, *path), fact)
