"""The rule interface. One small class per rule; the runner knows nothing about any single rule.

A rule is metadata (stable id, bilingual title and remediation, severity, citations that must
resolve in the law catalog) plus one pure `evaluate(manifest)` yielding `Hit`s: a pointer into
the manifest and a bilingual message saying what is wrong there. Where a fact the rule needs is
not stated, it yields `Unknown` instead of guessing: silence is never read as a breach, and the
audit lists what could not be checked (one *unconfirmed* result per rule).

A rule applies to conduct on the days its law was in force (`window`): by default those of its first
citation, the clause it enforces; `superseded_by` ends it where a later law's rule takes over.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib.metadata import entry_points
from typing import ClassVar

from consentgate.law.catalog import load_catalog
from consentgate.law.models import Window
from consentgate.manifest.models import Manifest
from consentgate.text import Text

ENTRY_POINT_GROUP = "consentgate.rules"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


@dataclass(frozen=True)
class Hit:
    """One place where a rule's requirement is broken."""

    pointer: str
    message: Text
    # Citations that depend on the manifest (e.g. `NPI-learning-education`), added to the rule's own.
    citations: tuple[str, ...] = ()
    # A lower severity than the rule's own for a milder form of the same breach; None = the rule's.
    severity: Severity | None = None
    # The exact citations of this hit, when the rule's own list covers several breaches and only
    # some clauses apply to this one (a missing copy channel is PIPL 45, not 46 or 47). Each must be
    # among the rule's own citations, so `consentgate rules` lists every clause a rule may cite.
    only: tuple[str, ...] | None = None
    # What the finding is about, so reports can name it: the data items and the purpose concerned.
    data: tuple[str, ...] = ()
    purpose: str | None = None


@dataclass(frozen=True)
class Unknown:
    """A fact the rule needed and the manifest does not state, so the rule could not check it there.

    `fact` is the place to state it, written the way the manifest is (`consent.pre_ticked`,
    `purposes[personalized-push].personalization.opt_out`); `pointer` is where it would go.
    """

    pointer: str
    fact: str


class Rule(ABC):
    """Subclass, fill in the metadata and `evaluate`; defining the class registers it."""

    id: ClassVar[str]
    pack: ClassVar[str] = "cn"
    severity: ClassVar[Severity]
    title: ClassVar[Text]
    remediation: ClassVar[Text]
    citations: ClassVar[tuple[str, ...]]
    # Why this severity: one line, shown in docs/rules.md.
    rationale: ClassVar[Text]
    # A citation whose entry into force ends this rule's window: from then on another rule judges the
    # same conduct under the later law (a Cybersecurity Law rule gives way to its PIPL rule).
    superseded_by: ClassVar[str | None] = None

    _registry: ClassVar[dict[str, type[Rule]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__abstractmethods__", None):
            return
        if cls.id in Rule._registry and Rule._registry[cls.id] is not cls:
            raise ValueError(f"rule id {cls.id} is defined twice")
        Rule._registry[cls.id] = cls

    def window(self) -> Window:
        """The days of conduct this rule judges: its first citation's window, up to `superseded_by`.

        Override to give a rule dates of its own; they must lie within its citations' windows, so
        that every finding still cites a clause in force (the engine drops the others).
        """
        catalog = load_catalog()
        own = catalog.entry(self.citations[0]).in_force.window
        if self.superseded_by is None:
            return own
        successor = catalog.entry(self.superseded_by).in_force.window.start
        return Window(start=own.start, end=successor if own.end is None else min(own.end, successor))

    def applies_at(self, day: date | None) -> bool:
        """Whether conduct on `day` (None: today's law) is judged by this rule."""
        return self.window().covers(day)

    @abstractmethod
    def evaluate(self, manifest: Manifest) -> Iterable[Hit | Unknown]:
        """Pure: the same manifest always gives the same hits, and nothing else is touched.

        Yield a `Hit` only from stated facts; where a needed fact is `None` (unknown), yield an
        `Unknown` naming it and move on.
        """


def _import_pack(package: str) -> None:
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__, prefix=f"{package}."):
        importlib.import_module(info.name)


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, built-in packs first, then third-party packs from entry points."""
    _import_pack("consentgate.rules.cn")
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()
    return tuple(cls() for _, cls in sorted(Rule._registry.items()))


def rule_by_id(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
