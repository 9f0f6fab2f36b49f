"""Who runs a host: a small, cited catalog of trackers and third parties (`data/trackers.yaml`).

Inference names a third-party recipient by its company where the catalog knows the host, so a report
says "Baidu Tongji" rather than "hm.baidu.com". A host the catalog does not know keeps its own name:
the catalog never guesses, and every entry carries the public page it was taken from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml


@dataclass(frozen=True)
class Tracker:
    domain: str
    company: str
    category: str
    source: str


@cache
def catalog() -> tuple[Tracker, ...]:
    """Every entry of `data/trackers.yaml`, in file order."""
    raw = yaml.safe_load(files("consentgate.observe").joinpath("data/trackers.yaml").read_text("utf-8"))
    return tuple(
        Tracker(domain=e["domain"], company=e["company"], category=e["category"], source=e["source"])
        for e in raw["trackers"]
    )


def tracker_of(host: str) -> Tracker | None:
    """The entry for `host` or for the nearest parent domain listed (`a.hm.baidu.com` → `hm.baidu.com`)."""
    by_domain = {t.domain: t for t in catalog()}
    labels = host.lower().rstrip(".").split(".")
    for i in range(len(labels) - 1):
        found = by_domain.get(".".join(labels[i:]))
        if found is not None:
            return found
    return None


def company_of(host: str) -> str | None:
    """The company that runs `host`, or None where the catalog does not know it."""
    tracker = tracker_of(host)
    return tracker.company if tracker else None
