"""What the feed hands to the app: pages of items, each with its reason and the way to switch off."""

from __future__ import annotations

from dataclasses import dataclass

from consentgate.runtime.feed.catalog import CatalogItem
from consentgate.runtime.feed.rankers import Why
from consentgate.text import Text


@dataclass(frozen=True)
class FeedItem:
    """One recommended item. `matched` names the data items behind a personalized choice (else empty)."""

    item: CatalogItem
    reason: Text
    settings_link: str
    why: Why
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed. `label` says whether it is personalized (ARP 17: the person must be able to tell)."""

    personalized: bool
    label: Text
    items: tuple[FeedItem, ...]
    settings_link: str
    settings_label: Text  # what following the link does: turn personalization off (or on)
