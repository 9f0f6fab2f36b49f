"""Typed shapes of the law catalog, validated when the catalog loads."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from consentgate.text import Text


class Instrument(StrEnum):
    """The legal instruments the catalog holds; the value is the id prefix."""

    PIPL = "PIPL"
    CIVIL = "CIVIL"
    ARP = "ARP"
    GBT35273 = "GBT35273"
    GBT41391 = "GBT41391"
    AVIM = "AVIM"
    NPI = "NPI"
    MIIT = "MIIT"  # MIIT notices, mostly draft or secondary text (miit-notices.yaml)
    TC260 = "TC260"  # TC260 practice guides (only the release notice was read)
    # The laws applied to conduct before the PIPL took effect (pre-pipl-laws.yaml).
    CSL = "CSL"  # 网络安全法
    CPL = "CPL"  # 消费者权益保护法 (2013 amendment)
    GPCL = "GPCL"  # 民法总则, lapsed when the Civil Code took effect
    TLL = "TLL"  # 侵权责任法, lapsed when the Civil Code took effect
    ECL = "ECL"  # 电子商务法


class Window(BaseModel):
    """The days on which something applies: from `start`, up to but not including `end`.

    `end` is the day it stopped (a repeal takes effect, a successor takes over), as the sources
    write it: the General Provisions of the Civil Law lapsed on 2021-01-01, so 2020-12-31 was
    its last day. A day of None means "today's law": whatever has not ended.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Window:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def last_day(self) -> date | None:
        return None if self.end is None else self.end - timedelta(days=1)

    def covers(self, day: date | None) -> bool:
        if day is None:
            return self.end is None
        return self.start <= day and (self.end is None or day < self.end)


class InForce(BaseModel):
    """When an instrument was law, and where the dates were read (`law/data/in-force.yaml`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window: Window
    # The reference file and field each date was copied from, and what the file says about it.
    source: str
    # False where the reference itself says the date was not read in a primary source.
    verified: bool
    # A draft for comment is never law; it is citable (as what it is) from its release.
    draft: bool = False


class LawEntry(BaseModel):
    """One citable unit: an article, an item of an article, a clause, or an app type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    instrument: Instrument
    instrument_title: Text
    heading: Text
    text: Text | None
    verified: bool
    verification: str
    in_force: InForce
    sources: tuple[str, ...] = ()
    parent: str | None = None


class DataCategory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: Text
    sensitive: bool = False
    incidental: bool = False
    # Catalog ids of the clauses that name the category, or of the definition it falls under.
    sources: tuple[str, ...] = ()


class NecessaryItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int | None
    text: Text
    categories: tuple[str, ...]


# The app type of a service outside the 39 (offline venues, B2B SaaS, search and advertising,
# telecoms, SMS senders): it has no NPI entry, so the operator states its basic service and the
# data that service needs, and necessity is judged against that statement.
OTHER_APP_TYPE = "other"


class AppType(BaseModel):
    """One of the 39 common app types with its basic function and necessary PI."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    slug: str
    name: Text
    basic_function: Text
    no_pi_required: bool
    necessary: tuple[NecessaryItem, ...]

    @property
    def citation(self) -> str:
        return f"NPI-{self.slug}"

    @property
    def necessary_categories(self) -> frozenset[str]:
        return frozenset(c for item in self.necessary for c in item.categories)


class TaxonomyCategory(BaseModel):
    """A category as written in consentgate-taxonomy.yaml; unknown keys mean a typo in the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    zh: str
    en: str
    sensitive: bool = False
    incidental: bool = False
    sources: tuple[str, ...] = ()


class TaxonomyItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: int | None
    categories: tuple[str, ...]


class TaxonomyAppType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    slug: str
    necessary: tuple[TaxonomyItem, ...]


class Taxonomy(BaseModel):
    """consentgate-taxonomy.yaml: our categories and our mapping of necessary-PI items to them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: dict[str, str]
    categories: dict[str, TaxonomyCategory]
    app_types: tuple[TaxonomyAppType, ...]

    @model_validator(mode="after")
    def _mapped_categories_exist(self) -> Taxonomy:
        for app_type in self.app_types:
            for item in app_type.necessary:
                unknown = set(item.categories) - set(self.categories)
                if unknown:
                    raise ValueError(f"app type {app_type.slug} maps to unknown categories {sorted(unknown)}")
        return self
