"""Two rankers with one output: a list of `Ranked` items, each carrying why it was chosen.

`NonPersonalizedRanker.rank(catalog, limit)` takes no subject and no profile: that it uses no
personal information is visible in its signature, not promised in a comment (PIPL 24 para 2: an
option "not targeting personal characteristics"). `PersonalizedRanker.rank(catalog, attributes,
limit)` receives only the attributes the gate released for the personalization purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from consentgate.runtime.feed.catalog import Catalog, CatalogItem
from consentgate.runtime.ports import Clock


class Why(StrEnum):
    """The kind of reason an item was chosen; stable values, shown to people through `reasons.py`."""

    MATCHED = "matched"  # it matches attributes the person let us use
    EDITORS_PICK = "editors-pick"
    NEW = "new"
    POPULAR = "popular"


@dataclass(frozen=True)
class Match:
    """One tag of an item that one released attribute named."""

    dimension: str
    data_id: str
    value: str


@dataclass(frozen=True)
class Ranked:
    item: CatalogItem
    score: float
    why: Why
    matches: tuple[Match, ...] = ()

    @property
    def matched_data(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.data_id for m in self.matches))


def _order(ranked: Ranked) -> tuple[float, bool, int, str]:
    # Ties go to editors' picks, then newer items, then the id: the same catalog always ranks the same.
    return (
        -ranked.score,
        not ranked.item.editors_pick,
        -ranked.item.published_at.toordinal(),
        ranked.item.id,
    )


def _popularity(catalog: Catalog, item: CatalogItem) -> float:
    return item.popularity / catalog.max_popularity if catalog.max_popularity else 0.0


@dataclass(frozen=True)
class Blend:
    """The documented non-personalized blend: score = popular·p + fresh·f + editors·e.

    p is popularity over the catalog's highest; f falls linearly from 1 (published today) to 0
    (`fresh_days` old); e is 1 for an editor's pick. The reason shown is the first that holds of:
    editor's pick, new (within `fresh_days`), popular.
    """

    popular: float = 0.5
    fresh: float = 0.3
    editors: float = 0.2
    fresh_days: int = 30


class NonPersonalizedRanker:
    """Popular, newest and editors' picks: the same feed for everybody at the same moment."""

    def __init__(self, *, clock: Clock, blend: Blend = Blend()) -> None:
        self._clock = clock
        self._blend = blend

    def rank(self, catalog: Catalog, limit: int) -> list[Ranked]:
        blend, today = self._blend, self._clock.now().date()
        ranked = []
        for item in catalog.items:
            age = max(0, (today - item.published_at).days)
            fresh = max(0.0, 1.0 - age / blend.fresh_days) if blend.fresh_days > 0 else 0.0
            score = (
                blend.popular * _popularity(catalog, item)
                + blend.fresh * fresh
                + blend.editors * float(item.editors_pick)
            )
            why = Why.EDITORS_PICK if item.editors_pick else Why.NEW if fresh > 0 else Why.POPULAR
            ranked.append(Ranked(item, score, why))
        return sorted(ranked, key=_order)[:limit]


class PersonalizedRanker:
    """Scores each item by the dimensions its tags share with the released attributes, plus popularity.

    Every matched dimension adds `match_weight`; popularity adds at most `popularity_weight`, so with
    the defaults an item matching anything ranks above every item matching nothing.
    """

    def __init__(self, *, match_weight: float = 1.0, popularity_weight: float = 0.5) -> None:
        self._match_weight = match_weight
        self._popularity_weight = popularity_weight

    def rank(self, catalog: Catalog, attributes: Mapping[str, Any], limit: int) -> list[Ranked]:
        wanted = _wanted(catalog, attributes)
        ranked = []
        for item in catalog.items:
            matches = tuple(
                Match(dimension, wanted[dimension][value], value)
                for dimension, values in item.tags.items()
                if dimension in wanted
                for value in values
                if value in wanted[dimension]
            )
            dimensions = len({m.dimension for m in matches})
            score = self._match_weight * dimensions + self._popularity_weight * _popularity(catalog, item)
            ranked.append(Ranked(item, score, Why.MATCHED if matches else Why.POPULAR, matches))
        return sorted(ranked, key=_order)[:limit]


def _wanted(catalog: Catalog, attributes: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """dimension -> {value id -> the data item that named it}, from the attributes' values."""
    wanted: dict[str, dict[str, str]] = {}
    for dimension in catalog.dimensions.values():
        for data_id in dimension.data:
            for spelled in _spellings(attributes.get(data_id)):
                value = catalog.resolve(dimension.id, spelled)
                if value is not None:
                    wanted.setdefault(dimension.id, {}).setdefault(value, data_id)
    return wanted


def _spellings(value: Any) -> Iterable[str]:
    """An attribute is a string, or a list of strings (derived tags); anything else matches nothing."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset):
        return [v for v in value if isinstance(v, str)]
    return ()
