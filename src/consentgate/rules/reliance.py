"""Which purposes rest on consent, when a manifest may leave the basis unstated.

`facts.consent_needed` answers, or says None where the manifest does not tell: a purpose whose basis is unknown, or a
contract-necessity add-on that does not say whether the person chose it (`user_selected`), may rest
on consent or may not; a rule that owes something only to consent-based processing (re-consent,
withdrawal, a way past the notice) must then name the fact it needed instead of concluding. The
runtime's answer (`Purpose.enforced_basis`, consent) keeps processing safe; it is no audit fact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from consentgate.manifest.models import Manifest, Purpose
from consentgate.rules.base import Unknown
from consentgate.rules.facts import basis_facts, consent_needed


def basis_unknown(purpose: Purpose) -> Unknown:
    """The fact to state so that `consent_needed` can answer for this purpose."""
    return next(basis_facts(purpose))


@dataclass(frozen=True)
class Reliance:
    """The purposes of some processing that rest on consent, and those that may."""

    consent: tuple[Purpose, ...]
    unknown: tuple[Purpose, ...]

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.consent]

    @property
    def data(self) -> tuple[str, ...]:
        """The data items the consent-based purposes process, each once, in manifest order."""
        return tuple(dict.fromkeys(d for p in self.consent for d in p.data))

    @property
    def purpose(self) -> str | None:
        """The one consent-based purpose a finding is about, if there is exactly one."""
        return self.consent[0].id if len(self.consent) == 1 else None

    def unknowns(self) -> Iterator[Unknown]:
        return (basis_unknown(p) for p in self.unknown)


def may_ask_consent(manifest: Manifest) -> bool:
    """Whether the app may ask anyone for consent at all: a consent box, or a purpose that needs (or
    may need) consent. Where it cannot, how consent is asked is moot, not unknown."""
    if any(screen.consent_boxes for screen in manifest.onboarding):
        return True
    return any(consent_needed(p) is not False for p in manifest.purposes)


def reliance(purposes: Iterable[Purpose]) -> Reliance:
    consent: list[Purpose] = []
    unknown: list[Purpose] = []
    for purpose in purposes:
        answer = consent_needed(purpose)
        if answer is None:
            unknown.append(purpose)
        elif answer:
            consent.append(purpose)
    return Reliance(tuple(consent), tuple(unknown))
